// Every version of an item (#/items/<id>): what each event did, corrections, retractions and
// translations shown against what they changed (field: before → after).

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDay, formatInstant, lang, t } from "../i18n.js";
import { needsAuditor } from "./timeline.js";
import { verificationPanel, verifyInto } from "./verification.js";

const COLLECTIONS = { Roadmap: "roadmaps", Pledge: "pledges", Consultation: "consultations", Decision: "decisions", Exchange: "exchanges", ReformProposal: "reform-proposals", Assessment: "assessments" };

/** A recorded value as a reader sees it: a bilingual text in the chosen language. */
export function shown(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object" && !Array.isArray(value) && ("en" in value || "fr" in value)) {
    return value[lang()] ?? value.en ?? value.fr ?? "—";
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function change(field, before, after) {
  return h("li", {}, h("span", { class: "field-name" }, field), ": ", h("del", {}, before), " → ", h("ins", {}, after));
}

/** The lines that say what one version did, against the versions before it. */
function effects(version, data) {
  const payload = version.data;
  const target = data.get(payload.target_version);
  if (version.event_type === "Corrected") {
    const lines = Object.entries(payload.changes || {}).map(([field, after]) => {
      const before = target ? target[field] : undefined;
      if (target) target[field] = after;
      return change(field, shown(before), shown(after));
    });
    return [h("p", {}, t("item.corrects", { version: payload.target_version })), h("ul", { class: "changes" }, lines), h("p", {}, t("item.reason", { reason: shown(payload.reason) }))];
  }
  if (version.event_type === "Retracted") {
    return [h("p", {}, t("item.retracts", { version: payload.target_version })), h("p", {}, t("item.reason", { reason: shown(payload.reason) }))];
  }
  if (version.event_type === "Translated") {
    const current = target ? target[payload.field] : undefined;
    const before = current && typeof current === "object" ? current[payload.lang] : payload.lang === "en" ? current : undefined;
    if (target) target[payload.field] = { ...(current && typeof current === "object" ? current : { en: current }), [payload.lang]: payload.text };
    return [h("p", {}, t("item.translates", { version: payload.target_version, lang: payload.lang })), h("ul", { class: "changes" }, change(payload.field, shown(before), payload.text))];
  }
  return [h("ul", { class: "values" }, Object.entries(payload).map(([field, value]) => h("li", {}, h("span", { class: "field-name" }, field), ": ", shown(value))))];
}

export async function renderItem(ctx) {
  const refused = needsAuditor(ctx);
  if (refused) return refused;
  const id = ctx.arg;
  const page = await api.json(`/audit/entries?stream_id=${id}&limit=1000`);
  const title = h("h1", { tabindex: "-1" }, t("item.title"));
  if (!page.entries.length) return h("div", {}, title, h("p", { role: "alert" }, t("item.none", { id })));
  const kind = page.entries[0].item_kind;
  const history = await api.json(`/${COLLECTIONS[kind]}/${id}/history`);
  const { panel, checkpoint, head } = await verificationPanel();
  const data = new Map();
  const cards = [];
  const cells = [];
  const byVersion = new Map(page.entries.map((e) => [e.stream_version, e]));
  for (const version of history.versions) {
    data.set(version.version, { ...version.data });
    const cell = h("div", { class: "badge-cell", "aria-live": "polite" }, t("badge.checking"));
    cells.push(cell);
    cards.push(
      h(
        "li",
        { class: "version", id: `version-${version.version}` },
        h("h2", {}, t("item.version", { version: version.version, type: version.event_type })),
        h("p", {}, version.summary),
        h(
          "dl",
          { class: "fields" },
          h("dt", {}, t("col.actor")), h("dd", {}, `${version.actor}${version.actor_party ? ` (${version.actor_party})` : ""}`),
          h("dt", {}, t("col.recorded")), h("dd", {}, formatInstant(version.recorded_at)),
          h("dt", {}, t("col.effective")), h("dd", {}, formatDay(version.effective_on)),
          h("dt", {}, t("item.authority")), h("dd", {}, shown(version.authority)),
          version.note ? [h("dt", {}, t("item.note")), h("dd", {}, shown(version.note))] : null,
        ),
        effects(version, data),
        cell,
        h("p", {}, h("a", { href: `#/entries/${version.position}` }, t("item.entryLink", { position: version.position }))),
      ),
    );
  }
  await verifyInto(history.versions.map((v) => byVersion.get(v.version)).filter(Boolean), checkpoint, cells.filter((_, i) => byVersion.has(history.versions[i].version)), head);
  return h("div", {}, title, h("p", { class: "mono" }, `${t(`kind.${kind}`)} ${id}`), panel, h("ol", { class: "versions" }, cards));
}
