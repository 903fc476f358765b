"""The French of every problem answer: a title per code, each message of ours by its English
shape, and pydantic's validation errors by their type.

The messages are written in English where they are raised (the model, the application, the
API); this catalog says each of them in French, with the values the English carries. A test
reads every raise site of the source and fails for a message no phrase here translates.
Vocabulary: pledge → engagement, consultation, decision → décision, exchange → échange, reform
proposal → proposition de réforme, assessment → évaluation, roadmap → feuille de route, party →
partie, official → représentant officiel, endorsement → approbation, retraction → rétractation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus

from api.i18n.catalog import Catalog, Slot

# --- titles ---------------------------------------------------------------------------------

#: One title per problem `code` (the English title is the code, capitalised).
TITLES: dict[str, str] = {
    # statuses Starlette raises itself
    "bad-request": "Requête incorrecte",
    "unauthenticated": "Non authentifié",
    "not-authorised": "Non autorisé",
    "not-found": "Introuvable",
    "method-not-allowed": "Méthode non permise",
    "not-acceptable": "Non acceptable",
    "conflict": "Conflit",
    "stale-version": "Version périmée",
    "body-too-large": "Corps trop volumineux",
    "unsupported-media-type": "Type de média non pris en charge",
    "invalid-value": "Valeur invalide",
    "rate-limited": "Trop de requêtes",
    "internal-error": "Erreur interne",
    "not-ready": "Service non prêt",
    "error": "Erreur",
    # the API's own
    "missing-token": "Jeton manquant",
    "invalid-token": "Jeton invalide",
    "expired-token": "Jeton expiré",
    "malformed-json": "JSON mal formé",
    "position-not-recorded": "Position non enregistrée",
    "projection-behind": "Modèles de lecture en retard",
    "proof-out-of-range": "Preuve hors limites",
    # the rules of the domain
    "domain-rule": "Règle non respectée",
    "not-your-party": "Pas votre partie",
    "concurrent-conflict": "Modifications concurrentes",
    "idempotency-key-reused": "Clé d'idempotence réutilisée",
    "unknown-party": "Partie inconnue",
    "unknown-priority": "Priorité inconnue",
    "illegal-transition": "Étape interdite",
    "pledge-already-withdrawn": "Engagement déjà retiré",
    "pledge-already-fulfilled": "Engagement déjà honoré",
    "unit-mismatch": "Unité différente",
    "delivered-decreased": "Réalisation en baisse",
    "already-endorsed": "Décision déjà approuvée",
    "already-co-chair": "Coprésidence déjà prévue",
    "not-invited": "Partie non invitée",
    "already-sponsor": "Proposition déjà parrainée",
    "only-receiving-party-agrees": "Seule la partie destinataire donne son accord",
    "only-receiving-party-acknowledges": "Seule la partie destinataire accuse réception",
    "unknown-assessment": "Évaluation inconnue",
    "invalid-supersession": "Remplacement invalide",
    "invalid-correction": "Correction invalide",
    "invalid-translation": "Traduction invalide",
    "storage-full": "Stockage plein",
    "projection-stuck": "Projection bloquée",
    "reason-required": "Motif requis",
    "no-checkpoint": "Aucun point de contrôle",
    "no-origin": "Aucune origine",
    "cosignature-refused": "Cosignature refusée",
    "event-already-retracted": "Événement déjà rétracté",
    "item-retracted": "Élément rétracté",
    "already-recorded": "Déjà enregistré",
}


def fallback(title: str, english: str) -> str:
    """A message no phrase translates: the title in French, the message as it was written."""
    return f"{title} (message d'origine : {english})"


# --- the words values bring -----------------------------------------------------------------

_VOWELS = tuple("aeiouyéèêàâîôû")

#: The nouns of the kinds of items, as messages name them (`Kind.noun`, or the class name).
NOUNS: dict[str, tuple[str, str]] = {
    "roadmap": ("feuille de route", "f"),
    "pledge": ("engagement", "m"),
    "consultation": ("consultation", "f"),
    "decision": ("décision", "f"),
    "exchange": ("échange", "m"),
    "reform proposal": ("proposition de réforme", "f"),
    "reformproposal": ("proposition de réforme", "f"),
    "assessment": ("évaluation", "f"),
}

#: Statuses of items, as adjectives: (masculine, feminine).
STATUSES: dict[str, tuple[str, str]] = {
    "active": ("actif", "active"),
    "fulfilled": ("honoré", "honorée"),
    "withdrawn": ("retiré", "retirée"),
    "scheduled": ("prévu", "prévue"),
    "held": ("tenu", "tenue"),
    "cancelled": ("annulé", "annulée"),
    "proposed": ("proposé", "proposée"),
    "agreed": ("accepté", "acceptée"),
    "in-progress": ("en cours", "en cours"),
    "completed": ("terminé", "terminée"),
    "submitted": ("soumis", "soumise"),
    "adopted": ("adopté", "adoptée"),
    "rejected": ("rejeté", "rejetée"),
    "shared": ("partagé", "partagée"),
    "acknowledged": ("reçu", "reçue"),
    "superseded": ("remplacé", "remplacée"),
}

#: Steps an item's status may refuse, after "impossible": (said of a masculine, a feminine).
STEPS: dict[str, tuple[str, str]] = {
    "agreed": ("de l'accepter", "de l'accepter"),
    "started": ("de le commencer", "de la commencer"),
    "completed": ("de le terminer", "de la terminer"),
    "cancelled": ("de l'annuler", "de l'annuler"),
    "co-sponsored": ("de le coparrainer", "de la coparrainer"),
    "submitted": ("de le soumettre", "de la soumettre"),
    "given an outcome": ("d'en consigner l'issue", "d'en consigner l'issue"),
    "withdrawn": ("de le retirer", "de la retirer"),
    "acknowledged": ("d'en accuser réception", "d'en accuser réception"),
    "superseded": ("de le remplacer", "de la remplacer"),
}


def _noun(name: str, value: str) -> dict[str, str]:
    word, gender = NOUNS[value]
    article = "l'" if word.startswith(_VOWELS) else ("le " if gender == "m" else "la ")
    return {
        name: word,
        f"{name}_le": article + word,
        f"{name}_aucun": ("aucun " if gender == "m" else "aucune ") + word,
        f"{name}_e": "" if gender == "m" else "e",
    }


def _status(gender: int) -> Slot:
    def forms(name: str, value: str) -> dict[str, str]:
        words = STATUSES.get(value)
        return {name: f"« {value} »" if words is None else words[gender]}

    return Slot(r"[a-z][a-z-]*", "withdrawn", forms)


def _step(gender: int) -> Slot:
    def forms(name: str, value: str) -> dict[str, str]:
        words = STEPS.get(value)
        return {name: f"de passer à l'étape « {value} »" if words is None else words[gender]}

    return Slot(r"[a-z][a-z -]*", "cancelled", forms)


def _translated(catalog: Catalog) -> Slot:
    """A value that is itself a message: translated if the catalog knows it, else kept."""

    def forms(name: str, value: str) -> dict[str, str]:
        return {name: catalog.translate(value) or value}

    return Slot(r".*", "Expecting value", forms)


_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
_NOUNS = "|".join(re.escape(n) for n in sorted(NOUNS, key=len, reverse=True))

# --- JSON decoding and parsing errors, named inside other messages ----------------------------

#: What Python's JSON decoder says of a body it cannot read (`JSONDecodeError.msg`).
JSON_ERRORS = Catalog(
    [
        ("Expecting value", "une valeur est attendue"),
        ("Expecting property name enclosed in double quotes", "un nom de propriété entre "
         "guillemets doubles est attendu"),
        ("Expecting ':' delimiter", "le séparateur ':' est attendu"),
        ("Expecting ',' delimiter", "le séparateur ',' est attendu"),
        ("Unterminated string starting at", "chaîne non terminée"),
        ("Invalid control character at", "caractère de contrôle invalide"),
        ("Invalid control character {char} at", "caractère de contrôle {char} invalide"),
        ("Invalid \\escape", "séquence d'échappement invalide"),
        ("Invalid \\escape: {char}", "séquence d'échappement invalide : {char}"),
        ("Invalid \\uXXXX escape", "séquence d'échappement \\uXXXX invalide"),
        ("Extra data", "données en trop après la valeur"),
        ("Unexpected UTF-8 BOM (decode using utf-8-sig)", "marque d'ordre des octets (BOM) "
         "UTF-8 inattendue"),
        ("Illegal trailing comma before end of object", "virgule en trop avant la fin de "
         "l'objet"),
        ("Illegal trailing comma before end of array", "virgule en trop avant la fin du "
         "tableau"),
    ],
    {},
)  # fmt: skip

_UNITS = {
    "year": "l'année",
    "month": "le mois",
    "day": "le jour",
    "hour": "l'heure",
    "minute": "les minutes",
    "second": "les secondes",
    "second fraction": "la fraction de seconde",
}


def _unit(name: str, value: str) -> dict[str, str]:
    return {name: _UNITS[value]}


_UNIT_SLOT = Slot("|".join(sorted(_UNITS, key=len, reverse=True)), "month", _unit)

#: What pydantic says of a date, time or UUID it cannot read (the `error` of its context).
PARSE_ERRORS = Catalog(
    [
        ("input is too short", "la valeur est trop courte"),
        ("input is too long", "la valeur est trop longue"),
        ("invalid character in {unit:unit}", "caractère invalide dans {unit}"),
        ("invalid date separator, expected `-`", "séparateur de date invalide, `-` attendu"),
        ("invalid datetime separator, expected `T`, `t`, `_` or space",
         "séparateur invalide entre la date et l'heure, `T`, `t`, `_` ou une espace attendu"),
        ("invalid time separator, expected `:`", "séparateur d'heure invalide, `:` attendu"),
        ("invalid timezone sign", "signe du fuseau horaire invalide"),
        ("{unit:unit} value is outside expected range of {range}",
         "valeur hors de l'intervalle attendu {range} pour {unit}"),
        ("{unit:unit} value is outside expected range",
         "valeur hors de l'intervalle attendu pour {unit}"),
        ("second fraction value is more than 6 digits long",
         "la fraction de seconde a plus de 6 chiffres"),
        ("timezone offset must be less than 24 hours",
         "le décalage horaire doit être inférieur à 24 heures"),
        ("unexpected extra characters at the end of the input",
         "caractères en trop à la fin de la valeur"),
        ("invalid character: found `{char}` at {at:int}",
         "caractère invalide : `{char}` à la position {at}"),
        ("invalid character: expected an optional prefix of `urn:uuid:` followed by "
         "[0-9a-fA-F-], found `{char}` at {at:int}",
         "caractère invalide : un préfixe facultatif `urn:uuid:` suivi de [0-9a-fA-F-] est "
         "attendu, `{char}` trouvé à la position {at}"),
        ("invalid length: found {found:int}", "longueur invalide : {found}"),
        ("invalid length: expected length 32 for simple format, found {found:int}",
         "longueur invalide : 32 attendue pour le format simple, {found} trouvée"),
        ("invalid group count: expected {expected:int}, found {found:int}",
         "nombre de groupes invalide : {expected} attendus, {found} trouvés"),
        ("invalid group length in group {group:int}: expected {expected:int}, found "
         "{found:int}",
         "longueur invalide du groupe {group} : {expected} attendue, {found} trouvée"),
    ],
    {"unit": _UNIT_SLOT, "int": Slot(r"[0-9]+", "3")},
)  # fmt: skip

SLOTS: dict[str, Slot] = {
    "uuid": Slot(_UUID, "5c7a0e1e-6b1d-4d5e-9f00-1a2b3c4d5e6f"),
    "int": Slot(r"-?[0-9]+", "3"),
    "noun": Slot(_NOUNS, "pledge", _noun),
    "status_m": _status(0),
    "status_f": _status(1),
    "step_m": _step(0),
    "step_f": _step(1),
    "json": _translated(JSON_ERRORS),
}

# --- our messages -----------------------------------------------------------------------------

#: Every message the model, the application and the API raise, by its English shape. A value
#: of no kind is carried over as written (a field name, a party, a code, a date).
PHRASES: list[tuple[str, str]] = [
    # domain/model/values.py
    ("{field} must be an ISO 3166 alpha-2 code such as 'FR' or 'CA'",
     "{field} doit être un code ISO 3166 alpha-2, comme 'FR' ou 'CA'"),
    ("{field}: {value} is not a priority code (lower-case words joined by '-')",
     "{field} : {value} n'est pas un code de priorité (mots en minuscules reliés par '-')"),
    ("{field} must be a non-empty text", "{field} doit être un texte non vide"),
    ("{field} is longer than {limit:int} characters", "{field} dépasse {limit} caractères"),
    ("ends_on is before starts_on", "ends_on est antérieur à starts_on"),
    ("amount must be a finite decimal", "amount doit être un nombre décimal fini"),
    ("amount must not be negative", "amount ne doit pas être négatif"),
    ("unit must be a short word such as 'personnel'",
     "unit doit être un mot court, comme 'personnel'"),
    ("{field} must be an object with 'amount' and 'unit'",
     "{field} doit être un objet avec 'amount' et 'unit'"),
    ("{field}.amount must be a decimal string or an integer, not a float",
     "{field}.amount doit être une chaîne décimale ou un entier, pas un nombre à virgule "
     "flottante"),
    ("{field}.amount is not a decimal number", "{field}.amount n'est pas un nombre décimal"),
    ("a priority is an object with 'code' and 'title'",
     "une priorité est un objet avec 'code' et 'title'"),
    ("only officials and admins record actions",
     "seuls les représentants officiels et les administrateurs enregistrent des actions"),
    ("an official's token must name their party",
     "le jeton d'un représentant officiel doit nommer sa partie"),
    ("an official of {party} cannot act for {other}",
     "un représentant officiel de {party} ne peut pas agir pour {other}"),
    ("{field} is required: the token names no party",
     "{field} est obligatoire : le jeton ne nomme aucune partie"),
    ("only {parties} may take this step", "cette étape est réservée à {parties}"),
    ("effective_on cannot be later than the day the action is recorded",
     "effective_on ne peut pas être postérieur au jour où l'action est enregistrée"),
    # domain/model/roadmap.py
    ("{party} is not a party of the roadmap ({parties})",
     "{party} n'est pas une partie de la feuille de route ({parties})"),
    ("not priorities of the roadmap: {codes}",
     "priorités absentes de la feuille de route : {codes}"),
    ("a roadmap has two or more distinct parties",
     "une feuille de route a au moins deux parties distinctes"),
    ("a roadmap has at least one priority", "une feuille de route a au moins une priorité"),
    ("priority codes must be unique", "les codes de priorité doivent être uniques"),
    ("adopted_on cannot be in the future", "adopted_on ne peut pas être dans le futur"),
    # domain/model/item.py: retraction and correction
    ("{noun:noun} {id:uuid} was retracted", "{noun_le} {id} a été rétracté{noun_e}"),
    ("version {version:int} is not a correctable event of this item",
     "la version {version} n'est pas un événement corrigeable de cet élément"),
    ("version {version:int} was retracted already", "la version {version} a déjà été rétractée"),
    ("only the party that recorded an event (or an admin) may correct or retract it",
     "seule la partie qui a enregistré un événement (ou un administrateur) peut le corriger "
     "ou le rétracter"),
    ("changes must name at least one field", "changes doit nommer au moins un champ"),
    ("changes.effective_on cannot be in the future",
     "changes.effective_on ne peut pas être dans le futur"),
    ("{event} events have no field {name}", "les événements {event} n'ont pas de champ {name}"),
    ("{name} says who or where and cannot be corrected; retract instead",
     "{name} dit qui ou où et ne peut pas être corrigé ; rétractez plutôt l'événement"),
    ("ends_on would be before starts_on", "ends_on serait antérieur à starts_on"),
    # domain/model/item.py: translations
    ("{event} events have no text {name} to translate",
     "les événements {event} n'ont pas de texte {name} à traduire"),
    ("{name} of version {version:int} is empty: there is nothing to translate",
     "{name} de la version {version} est vide : il n'y a rien à traduire"),
    ("lang must be one of {languages}, not {value}",
     "lang doit être l'une des langues {languages}, et non {value}"),
    ("{name} was written in {lang}: correct it instead of translating it",
     "{name} a été rédigé en {lang} : corrigez-le plutôt que de le traduire"),
    ("version {version:int} is not a translatable event of this item",
     "la version {version} n'est pas un événement traduisible de cet élément"),
    ("version {version:int} was retracted", "la version {version} a été rétractée"),
    # domain/model/texts.py and api/schemas/common.py: texts in English and French
    ("{field} has texts in {languages}: only en and fr are kept",
     "{field} a des textes en {languages} : seuls en et fr sont conservés"),
    ("{field} needs a text in en or fr", "{field} demande un texte en en ou en fr"),
    ("{field} must be a text", "{field} doit être un texte"),
    ("{where}must be a string, or an object of en and fr strings",
     "{where}doit être une chaîne, ou un objet de chaînes en et fr"),
    ("{where}must not be empty", "{where}ne doit pas être vide"),
    ("{where}must be at most {limit:int} characters",
     "{where}doit compter au plus {limit} caractères"),
    ("has {languages}: only en and fr are kept", "a {languages} : seuls en et fr sont conservés"),
    ("needs a text in en or fr", "demande un texte en en ou en fr"),
    # domain/model/pledge.py: fulfilment short of the quantity
    ("{delivered} of the {pledged} {unit} pledged are delivered: fulfilling the pledge short "
     "of its quantity needs a reason",
     "{delivered} des {pledged} {unit} promis sont livrés : tenir l'engagement en deçà de sa "
     "quantité demande un motif"),
    # domain/model/values.py: characters a text may not hold
    ("{field} holds U+{code}, {what}, at character {at:int} (only long texts may span lines)",
     "{field} contient U+{code} ({what}), au caractère {at} (seuls les textes longs peuvent "
     "tenir sur plusieurs lignes)"),
    ("{field} holds U+{code}, {what}, at character {at:int}",
     "{field} contient U+{code} ({what}), au caractère {at}"),
    # api/auth.py, api/deps.py, api/reads.py, api/schemas/common.py
    ("the token's signature does not verify: was it minted with another secret? `roadmap "
     "token` signs with ROADMAP_SECRET, else the file ROADMAP_SECRET_FILE (.roadmap-secret in "
     "the folder it runs in): mint it where the server runs, with the same settings",
     "la signature du jeton ne se vérifie pas : a-t-il été émis avec un autre secret ? "
     "`roadmap token` signe avec ROADMAP_SECRET, sinon avec le fichier ROADMAP_SECRET_FILE "
     "(.roadmap-secret dans le dossier où il s'exécute) : émettez-le là où tourne le serveur, "
     "avec les mêmes réglages"),
    ("the '{claim}' claim must be a number of seconds (a NumericDate), not text",
     "la revendication '{claim}' doit être un nombre de secondes (NumericDate), pas du texte"),
    ("{what}: for auditors and admins, not {who}",
     "{what} : réservé aux auditeurs et aux administrateurs, pas à {who}"),
    ("/metrics is for reporters and admins (or set ROADMAP_METRICS_PUBLIC=true)",
     "/metrics est réservé aux rapporteurs et aux administrateurs (ou réglez "
     "ROADMAP_METRICS_PUBLIC=true)"),
    ("the {name} read model is {state}: it cannot reach {position}",
     "le modèle de lecture {name} est {state} : il ne peut pas atteindre {position}"),
    ("must be an RFC 3339 time with a timezone, e.g. 2017-01-01T00:00:00Z (in a query string, "
     "write the + of an offset as %2B)",
     "doit être une heure RFC 3339 avec un fuseau, par exemple 2017-01-01T00:00:00Z (dans une "
     "chaîne de requête, écrivez le + d'un décalage %2B)"),
    ("{value} is outside the years 0001 to 9999 once in UTC",
     "{value} sort des années 0001 à 9999 une fois ramené en UTC"),
    # api/routers/audit.py: checkpoints
    ("no checkpoint is signed yet", "aucun point de contrôle n'est encore signé"),
    ("no checkpoint was signed at tree size {size:int} (heads signed before checkpoints "
     "existed have none; GET /audit/tree-head has them)",
     "aucun point de contrôle n'a été signé pour la taille d'arbre {size} (les têtes signées "
     "avant l'existence des points de contrôle n'en ont pas ; GET /audit/tree-head les donne)"),
    ("this store's log has no origin yet", "le journal de ce dépôt n'a pas encore d'origine"),
    # domain/model/coerce.py
    ("changes.{field}: {value} is not a valid {type}",
     "changes.{field} : {value} n'est pas une valeur valide de type {type}"),
    ("changes.{field} cannot be null", "changes.{field} ne peut pas être null"),
    # domain/model/consultation.py
    ("consultation {id:uuid} is {status:status_f}, no longer scheduled",
     "la consultation {id} est {status} : elle n'est plus prévue"),
    ("the host party chairs already", "la partie hôte préside déjà"),
    ("{party} was invited to co-chair already",
     "la partie {party} a déjà été invitée à coprésider"),
    ("{party} co-chairs already", "la partie {party} copréside déjà"),
    ("{party} was not invited to co-chair", "la partie {party} n'a pas été invitée à coprésider"),
    ("decisions are recorded at a held consultation; {id:uuid} is {status:status_f}",
     "les décisions s'enregistrent lors d'une consultation tenue ; la consultation {id} est "
     "{status}"),
    # domain/model/decision.py
    ("an endorsement is given by an official of a party",
     "une approbation est donnée par un représentant officiel d'une partie"),
    ("{party} has endorsed decision {id:uuid} already",
     "la partie {party} a déjà approuvé la décision {id}"),
    # domain/model/pledge.py
    ("pledge {id:uuid} was withdrawn", "l'engagement {id} a été retiré"),
    ("pledge {id:uuid} was fulfilled", "l'engagement {id} a été honoré"),
    ("a revision changes the quantity or the title",
     "une révision change la quantité ou le titre"),
    ("the pledge is counted in {unit}, not {other}",
     "l'engagement est compté en {unit}, pas en {other}"),
    ("delivered is cumulative: {amount} is less than the {reported} already reported "
     "(correct that report instead)",
     "delivered est cumulatif : {amount} est inférieur aux {reported} déjà déclarés "
     "(corrigez plutôt cette déclaration)"),
    # domain/model/exchange.py
    ("an exchange goes from one party to another", "un échange va d'une partie à une autre"),
    ("participants must be between 1 and {max:int}",
     "participants doit être compris entre 1 et {max}"),
    ("exchange {id:uuid} is {status:status_m}: it cannot be {step:step_m}",
     "l'échange {id} est {status} : impossible {step}"),
    ("only the receiving party ({party}) agrees to an exchange",
     "seule la partie destinataire ({party}) donne son accord à un échange"),
    # domain/model/reform.py
    ("reform proposal {id:uuid} is {status:status_f}: it cannot be {step:step_f}",
     "la proposition de réforme {id} est {status} : impossible {step}"),
    ("{party} sponsors this proposal already", "la partie {party} parraine déjà cette proposition"),
    # domain/model/assessment.py
    ("an assessment is shared with the other party",
     "une évaluation se partage avec l'autre partie"),
    ("marking must be one of {markings}", "marking doit être l'une des valeurs {markings}"),
    ("shared_on cannot be in the future", "shared_on ne peut pas être dans le futur"),
    ("assessment {id:uuid} is {status:status_f}: it cannot be {step:step_f}",
     "l'évaluation {id} est {status} : impossible {step}"),
    ("only the receiving party ({party}) acknowledges an assessment",
     "seule la partie destinataire ({party}) accuse réception d'une évaluation"),
    ("an assessment cannot supersede itself",
     "une évaluation ne peut pas se remplacer elle-même"),
    ("assessment {id:uuid} is under another roadmap",
     "l'évaluation {id} relève d'une autre feuille de route"),
    ("assessment {id:uuid} was shared by {party}, not {other}",
     "l'évaluation {id} a été partagée par {party}, pas par {other}"),
    ("assessment {id:uuid} is {status:status_f}: it cannot replace another",
     "l'évaluation {id} est {status} : elle ne peut pas en remplacer une autre"),
    ("assessment {id:uuid} was shared on {day}, before this one",
     "l'évaluation {id} a été partagée le {day}, avant celle-ci"),
    ("shared_on would be after the day the sharing was recorded",
     "shared_on serait postérieur au jour où le partage a été enregistré"),
    ("the superseding assessment cannot be corrected; retract and supersede again",
     "l'évaluation qui la remplace ne peut pas être corrigée ; rétractez le remplacement, "
     "puis remplacez-la à nouveau"),
    # domain/application: loading, running commands
    ("no {noun:noun} {id:uuid}", "{noun_aucun} {id}"),
    ("{noun:noun} {id:uuid} is at version {version:int}, not {expected:int}",
     "{noun_le} {id} est à la version {version}, pas à la version {expected}"),
    ("no assessment {id:uuid} to supersede with",
     "il n'y a pas d'évaluation {id} pour la remplacer"),
    ("{noun:noun} {id:uuid} exists already", "{noun_le} {id} existe déjà"),
    ("the item changed {times:int} times while the command ran; try again",
     "l'élément a changé {times} fois pendant l'exécution de la commande ; réessayez"),
    ("this Idempotency-Key was used with a different request",
     "cette Idempotency-Key a déjà servi pour une autre requête"),
    # api/reads.py and the routers
    ("min_position {position:int} is beyond the last recorded event",
     "min_position {position} est au-delà du dernier événement enregistré"),
    ("the read models have not reached position {position:int} yet; retry shortly",
     "les modèles de lecture n'ont pas encore atteint la position {position} ; réessayez "
     "dans un instant"),
    ("no {noun:noun} {id:uuid} (log position {position:int})",
     "{noun_aucun} {id} (position du journal {position})"),
    ("no {noun:noun} {id:uuid} at that time (log position {position:int})",
     "{noun_aucun} {id} à ce moment-là (position du journal {position})"),
    ("no roadmap {id:uuid} was recorded", "aucune feuille de route {id} n'a été enregistrée"),
    ("no roadmap {id:uuid} was recorded at {moment}",
     "aucune feuille de route {id} n'était enregistrée à {moment}"),
    ("no report named {name}; GET /reports lists them",
     "aucun rapport nommé {name} ; GET /reports en donne la liste"),
    ("the database is not reachable", "la base de données est injoignable"),
    ("no signed tree head yet", "aucune tête d'arbre signée pour l'instant"),
    ("no signed tree head at tree size {size:int}",
     "aucune tête d'arbre signée pour la taille d'arbre {size}"),
    ("{field} must be between 1 and the current tree size {size:int}",
     "{field} doit être compris entre 1 et la taille actuelle de l'arbre, {size}"),
    ("leaf_index must be below tree_size {size:int}",
     "leaf_index doit être inférieur à tree_size, {size}"),
    ("first must be between 1 and second ({second:int})",
     "first doit être compris entre 1 et second ({second})"),
    ('If-Match must be the ETag of the version you read, e.g. "3"',
     "If-Match doit être l'ETag de la version que vous avez lue, par exemple \"3\""),
    ("send the body as JSON, with Content-Type: application/json",
     "envoyez le corps en JSON, avec Content-Type: application/json"),
    # api/auth.py
    ("a bearer token is required", "un jeton porteur (Bearer) est requis"),
    ("the Authorization header must be 'Bearer <token>'",
     "l'en-tête Authorization doit être de la forme 'Bearer <jeton>'"),
    ("the token is not a JWT", "le jeton n'est pas un JWT"),
    ("the token has expired", "le jeton a expiré"),
    ("the token is not meant for this service", "le jeton n'est pas destiné à ce service"),
    ("the token comes from an unknown issuer", "le jeton provient d'un émetteur inconnu"),
    ("the token's algorithm is not accepted (only {algorithm})",
     "l'algorithme du jeton n'est pas accepté (seulement {algorithm})"),
    ("the token's signature does not verify", "la signature du jeton n'est pas valide"),
    ("the token has no '{claim}' claim", "le jeton n'a pas de revendication (claim) '{claim}'"),
    ("the token is malformed", "le jeton est mal formé"),
    ("the token is invalid: {error}", "le jeton n'est pas valide : {error}"),
    ("the token's key id (kid) is not in the key set",
     "l'identifiant de clé (kid) du jeton n'est pas dans le jeu de clés"),
    ("the 'sub' claim must be a text of 1 to {max:int} chars",
     "la revendication 'sub' doit être un texte de 1 à {max} caractères"),
    ("the 'sub' claim has control characters",
     "la revendication 'sub' contient des caractères de contrôle"),
    ("the 'roles' claim must be a list of roles",
     "la revendication 'roles' doit être une liste de rôles"),
    ("unknown role {role} (roles: {roles})", "rôle inconnu {role} (rôles : {roles})"),
    ("the 'party' claim must be an ISO 3166 alpha-2 code",
     "la revendication 'party' doit être un code ISO 3166 alpha-2"),
    ("the token grants no role", "le jeton n'accorde aucun rôle"),
    ("as_of and effective_on are for auditors and admins",
     "as_of et effective_on sont réservés aux auditeurs et aux administrateurs"),
    # api/middleware.py and api/problems.py
    ("bad Content-Length", "Content-Length invalide"),
    ("the request body is larger than {limit:int} bytes",
     "le corps de la requête dépasse {limit} octets"),
    ("too many requests: try again in {seconds:int} s",
     "trop de requêtes : réessayez dans {seconds} s"),
    ("the server could not answer this request (error id {id})",
     "le serveur n'a pas pu répondre à cette requête (identifiant de l'erreur : {id})"),
    ("no resource at {path}", "aucune ressource à l'adresse {path}"),
    ("{method} is not allowed on {path}", "la méthode {method} n'est pas permise sur {path}"),
    ("the body is not valid JSON (encoding, nesting depth or number size)",
     "le corps n'est pas du JSON valide (encodage, profondeur d'imbrication ou taille "
     "d'un nombre)"),
    ("the body is not valid JSON: {error:json}", "le corps n'est pas du JSON valide : {error}"),
    ("invalid request", "requête invalide"),
    ("There was an error parsing the body", "le corps de la requête n'a pas pu être lu"),
    # api/schemas: field validators
    ("must be a date written YYYY-MM-DD", "doit être une date écrite AAAA-MM-JJ"),
    ("{value} is not a date of the calendar", "{value} n'est pas une date du calendrier"),
    ("must be an RFC 3339 time with a timezone, e.g. 2017-01-01T00:00:00Z",
     "doit être un instant RFC 3339 avec un fuseau horaire, par exemple 2017-01-01T00:00:00Z"),
    ("{value} is not a moment of the calendar", "{value} n'est pas un instant du calendrier"),
    ('must be a decimal string such as "600" or "1.5", or an integer; floats are refused '
     "because they are not exact",
     'doit être une chaîne décimale comme "600" ou "1.5", ou un entier ; les nombres à '
     "virgule flottante sont refusés, car ils ne sont pas exacts"),
    ("an integer amount is at most {max:int}; send larger ones as text",
     "un montant entier vaut au plus {max} ; envoyez les montants plus grands sous forme "
     "de texte"),
    ("must not be negative", "ne doit pas être négatif"),
    ("must be digits with an optional '.' fraction, e.g. \"600\" or \"1.5\"",
     "doit être composé de chiffres, avec une partie décimale facultative après '.', par "
     "exemple \"600\" ou \"1.5\""),
    ("must be valid Unicode text (no lone surrogates)",
     "doit être un texte Unicode valide (sans demi-codet isolé)"),
    ("values may nest at most {depth:int} levels",
     "les valeurs s'imbriquent sur {depth} niveaux au plus"),
    ("texts must be valid Unicode (no lone surrogates)",
     "les textes doivent être en Unicode valide (sans demi-codet isolé)"),
    ("changes.priorities must be a list of priority codes",
     "changes.priorities doit être une liste de codes de priorité"),
    # texts in two languages (issue 11, in progress on the lead's side)
    ("Content-Language must be en or fr (or a tag of them, such as fr-CA)",
     "Content-Language doit être en ou fr (ou l'une de leurs variantes, comme fr-CA)"),
    ("{field}.lang must name one of its texts ({languages})",
     "{field}.lang doit nommer l'un de ses textes ({languages})"),
]  # fmt: skip

#: The reason phrase Starlette gives a status when it has nothing else to say.
PHRASES += [
    (HTTPStatus(status).phrase, french)
    for status, french in {
        400: "requête incorrecte",
        401: "authentification requise",
        403: "accès interdit",
        404: "introuvable",
        405: "méthode non permise",
        406: "aucune représentation acceptable",
        409: "conflit",
        412: "précondition non remplie",
        413: "corps de la requête trop volumineux",
        415: "type de média non pris en charge",
        422: "contenu impossible à traiter",
        429: "trop de requêtes",
        500: "erreur interne du serveur",
        503: "service indisponible",
    }.items()
]

MESSAGES = Catalog(PHRASES, SLOTS)

# --- pydantic's validation errors, by type ----------------------------------------------------

#: Every error type of pydantic-core, in French, with the values of the error's `ctx`. A count
#: `n` also gives `{n_s}`: "s" from 2 on. `{error}` is translated when it is a parse error.
VALIDATION: dict[str, str] = {
    "no_such_attribute": "l'objet n'a pas d'attribut '{attribute}'",
    "json_invalid": "JSON invalide : {error}",
    "json_type": "la valeur JSON doit être une chaîne, des octets ou un bytearray",
    "needs_python_object": "impossible de vérifier `{method_name}` en validant du JSON",
    "recursion_loop": "erreur de récursion : référence cyclique détectée",
    "recursion_depth_exceeded": "erreur de récursion : profondeur maximale de validation dépassée",
    "missing": "champ obligatoire",
    "frozen_field": "le champ ne peut pas être modifié",
    "frozen_instance": "l'instance ne peut pas être modifiée",
    "extra_forbidden": "champ non permis",
    "invalid_key": "les clés doivent être des chaînes",
    "get_attribute_error": "erreur à la lecture de l'attribut : {error}",
    "model_type": "la valeur doit être un dictionnaire valide ou une instance de {class_name}",
    "model_attributes_type": "la valeur doit être un dictionnaire valide ou un objet d'où "
    "extraire les champs",
    "dataclass_type": "la valeur doit être un dictionnaire ou une instance de {class_name}",
    "dataclass_exact_type": "la valeur doit être une instance de {class_name}",
    "named_tuple_type": "la valeur doit être un tuple, une liste, un dictionnaire ou une "
    "instance de {class_name}",
    "default_factory_not_called": "la valeur par défaut dépend de données validées, mais la "
    "validation a échoué",
    "none_required": "la valeur doit être null",
    "greater_than": "la valeur doit être supérieure à {gt}",
    "greater_than_equal": "la valeur doit être supérieure ou égale à {ge}",
    "less_than": "la valeur doit être inférieure à {lt}",
    "less_than_equal": "la valeur doit être inférieure ou égale à {le}",
    "multiple_of": "la valeur doit être un multiple de {multiple_of}",
    "finite_number": "la valeur doit être un nombre fini",
    "too_short": "{field_type} doit avoir au moins {min_length} élément{min_length_s} après "
    "validation, et non {actual_length}",
    "too_long": "{field_type} doit avoir au plus {max_length} élément{max_length_s} après "
    "validation, et non {actual_length}",
    "iterable_type": "la valeur doit être itérable",
    "iteration_error": "erreur lors du parcours de l'objet : {error}",
    "string_type": "la valeur doit être une chaîne de caractères valide",
    "string_unicode": "la valeur doit être une chaîne valide ; les données ne sont pas "
    "de l'Unicode",
    "string_too_short": "la chaîne doit avoir au moins {min_length} caractère{min_length_s}",
    "string_too_long": "la chaîne doit avoir au plus {max_length} caractère{max_length_s}",
    "string_pattern_mismatch": "la chaîne doit correspondre au motif '{pattern}'",
    "string_not_ascii": "la chaîne ne doit contenir que des caractères ASCII",
    "enum": "la valeur doit être {expected}",
    "dict_type": "la valeur doit être un dictionnaire valide",
    "frozen_dict_type": "la valeur doit être un frozendict valide",
    "ordered_dict_type": "la valeur doit être un OrderedDict valide",
    "counter_type": "la valeur doit être un Counter valide",
    "mapping_type": "la valeur doit être une table de correspondance valide ; erreur : {error}",
    "list_type": "la valeur doit être une liste valide",
    "deque_type": "la valeur doit être une deque valide",
    "tuple_type": "la valeur doit être un tuple valide",
    "set_type": "la valeur doit être un ensemble valide",
    "set_item_not_hashable": "les éléments d'un ensemble doivent être hachables",
    "bool_type": "la valeur doit être un booléen valide",
    "bool_parsing": "la valeur doit être un booléen valide ; elle ne peut pas être interprétée",
    "int_type": "la valeur doit être un entier valide",
    "int_parsing": "la valeur doit être un entier valide ; la chaîne ne se lit pas comme un entier",
    "int_parsing_size": "la chaîne ne se lit pas comme un entier : taille maximale dépassée",
    "int_from_float": "la valeur doit être un entier valide ; c'est un nombre avec une partie "
    "décimale",
    "float_type": "la valeur doit être un nombre valide",
    "float_parsing": "la valeur doit être un nombre valide ; la chaîne ne se lit pas comme un "
    "nombre",
    "bytes_type": "la valeur doit être une suite d'octets valide",
    "bytes_too_short": "les données doivent avoir au moins {min_length} octet{min_length_s}",
    "bytes_too_long": "les données doivent avoir au plus {max_length} octet{max_length_s}",
    "bytes_invalid_encoding": "les données doivent être du {encoding} valide : {encoding_error}",
    "value_error": "erreur de valeur : {error}",
    "assertion_error": "échec de l'assertion : {error}",
    "literal_error": "la valeur doit être {expected}",
    "missing_sentinel_error": "la valeur doit être la sentinelle 'MISSING'",
    "ellipsis_error": "la valeur doit être le littéral 'Ellipsis'",
    "date_type": "la valeur doit être une date valide",
    "date_parsing": "la valeur doit être une date valide au format AAAA-MM-JJ ; {error}",
    "date_from_datetime_parsing": "la valeur doit être une date, ou une date et heure, "
    "valide ; {error}",
    "date_from_datetime_inexact": "une date et heure donnée pour une date doit avoir une "
    "heure nulle, c'est-à-dire être une date exacte",
    "date_past": "la date doit être dans le passé",
    "date_future": "la date doit être dans le futur",
    "time_type": "la valeur doit être une heure valide",
    "time_parsing": "la valeur doit être une heure dans un format valide ; {error}",
    "datetime_type": "la valeur doit être une date et heure valide",
    "datetime_parsing": "la valeur doit être une date et heure valide ; {error}",
    "datetime_object_invalid": "objet date et heure invalide : {error}",
    "datetime_from_date_parsing": "la valeur doit être une date et heure, ou une date, "
    "valide ; {error}",
    "datetime_past": "la valeur doit être dans le passé",
    "datetime_future": "la valeur doit être dans le futur",
    "timezone_naive": "la valeur ne doit pas avoir de fuseau horaire",
    "timezone_aware": "la valeur doit avoir un fuseau horaire",
    "timezone_offset": "un décalage horaire de {tz_expected} est requis, et non {tz_actual}",
    "time_delta_type": "la valeur doit être une durée valide",
    "time_delta_parsing": "la valeur doit être une durée valide ; {error}",
    "frozen_set_type": "la valeur doit être un frozenset valide",
    "is_instance_of": "la valeur doit être une instance de {class}",
    "is_subclass_of": "la valeur doit être une sous-classe de {class}",
    "callable_type": "la valeur doit être appelable",
    "union_tag_invalid": "l'étiquette '{tag}' trouvée avec {discriminator} ne correspond à "
    "aucune des étiquettes attendues : {expected_tags}",
    "union_tag_not_found": "impossible d'extraire l'étiquette avec le discriminant {discriminator}",
    "arguments_type": "les arguments doivent être un tuple, une liste ou un dictionnaire",
    "missing_argument": "argument obligatoire manquant",
    "unexpected_keyword_argument": "argument nommé inattendu",
    "missing_keyword_only_argument": "argument nommé obligatoire manquant",
    "unexpected_positional_argument": "argument positionnel inattendu",
    "missing_positional_only_argument": "argument positionnel obligatoire manquant",
    "multiple_argument_values": "plusieurs valeurs pour le même argument",
    "url_type": "l'URL doit être une chaîne ou une URL",
    "url_parsing": "la valeur doit être une URL valide ; {error}",
    "url_syntax_violation": "la valeur enfreint la syntaxe stricte des URL ; {error}",
    "url_too_long": "l'URL doit avoir au plus {max_length} caractère{max_length_s}",
    "url_scheme": "le schéma de l'URL doit être {expected_schemes}",
    "uuid_type": "l'UUID doit être une chaîne, des octets ou un objet UUID",
    "uuid_parsing": "la valeur doit être un UUID valide ; {error}",
    "uuid_version": "UUID de version {expected_version} attendu",
    "decimal_type": "le nombre décimal doit être un entier, un nombre à virgule flottante, une "
    "chaîne ou un objet Decimal",
    "decimal_parsing": "la valeur doit être un nombre décimal valide",
    "decimal_max_digits": "le nombre décimal doit avoir au plus {max_digits} "
    "chiffre{max_digits_s} en tout",
    "decimal_max_places": "le nombre décimal doit avoir au plus {decimal_places} "
    "décimale{decimal_places_s}",
    "decimal_whole_digits": "le nombre décimal doit avoir au plus {whole_digits} "
    "chiffre{whole_digits_s} avant la virgule",
    "fraction_type": "la fraction doit être un entier, un nombre à virgule flottante, une "
    "chaîne ou un objet Fraction",
    "fraction_parsing": "la valeur n'est pas une fraction valide",
    "complex_type": "la valeur doit être un objet complex valide, un nombre ou une chaîne "
    "complexe valide selon https://docs.python.org/3/library/functions.html#complex",
    "complex_str_parsing": "la valeur doit être une chaîne complexe valide selon "
    "https://docs.python.org/3/library/functions.html#complex",
}

#: `field_type` of too_short / too_long.
FIELD_TYPES: dict[str, str] = {
    "List": "la liste",
    "Tuple": "le tuple",
    "Set": "l'ensemble",
    "Frozenset": "l'ensemble",
    "Dictionary": "le dictionnaire",
    "Value": "la valeur",
    "Data": "les données",
}

_OR = re.compile(r"(?<=['\"]) or (?=['\"])")


def validation(kind: str, context: Mapping[str, object], english: str) -> str:
    """One pydantic error in French (a type pydantic adds later: named, with its English)."""
    template = VALIDATION.get(kind)
    if kind == "value_error":
        error = str(context.get("error", ""))
        return MESSAGES.translate(error) or template_fill(template, {"error": error}) or english
    words: dict[str, str] = {}
    for name, value in context.items():
        if isinstance(value, int) and not isinstance(value, bool):
            words[f"{name}_s"] = "s" if abs(value) >= 2 else ""  # noqa: PLR2004 - French plural
        text = str(value)
        if name == "error":
            text = PARSE_ERRORS.translate(text) or JSON_ERRORS.translate(text) or text
        elif name in {"expected", "expected_tags", "expected_schemes"}:
            text = _OR.sub(" ou ", text)
        elif name == "field_type":
            text = FIELD_TYPES.get(text, text)
        words[name] = text
    filled = template_fill(template, words)
    return filled if filled is not None else f"valeur refusée ({kind}) : {english}"


def template_fill(template: str | None, words: Mapping[str, str]) -> str | None:
    if template is None:
        return None
    try:
        return template.format_map(words)
    except (KeyError, IndexError, ValueError):
        return None
