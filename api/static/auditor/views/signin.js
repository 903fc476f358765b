// Sign in with a bearer token, see who and which roles; pin the log's verifier key.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { parseVerifierKey } from "../lib/note.js";
import { session } from "../session.js";

function field(id, label, hint, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, control);
}

function permissions(me) {
  if (me.may.audit_trail) return t("signin.mayAudit");
  if (me.may.record) return t("signin.mayOfficial", { party: me.party || "—" });
  return t("signin.mayReporter");
}

async function keySection() {
  const pinnedText = session.pinnedKey;
  const status = h("div", { id: "key-status", role: "status" });
  let pinned = null;
  if (pinnedText) {
    try {
      pinned = await parseVerifierKey(pinnedText);
      status.append(h("p", {}, t("key.pinned", { name: pinned.name })), h("p", { class: "mono", id: "key-fingerprint" }, t("key.fingerprint", { fp: pinned.fingerprint, id: pinned.idHex })));
    } catch {
      status.append(h("p", { class: "error" }, t("key.format")));
    }
  } else {
    status.append(h("p", {}, t("key.none")));
  }
  if (session.token && pinned) {
    try {
      const served = (await api.text("/audit/verifier-key")).trim();
      if (served !== pinned.text) status.append(h("p", { class: "warning", role: "alert", id: "key-differs" }, t("key.differs")));
      else status.append(h("p", { class: "ok" }, t("key.same")));
    } catch {
      /* the server's key is for auditors; nothing to compare */
    }
  }
  const input = h("textarea", { id: "key-input", rows: "2", "aria-describedby": "key-input-hint key-error", spellcheck: "false", autocomplete: "off" });
  const error = h("p", { id: "key-error", class: "error", "aria-live": "polite" });
  const form = h(
    "form",
    {
      id: "key-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const key = await parseVerifierKey(input.value);
          session.pinnedKey = key.text;
          location.hash = "#/timeline";
        } catch (failure) {
          error.textContent = t(failure.message === "key.id" ? "key.id" : "key.format");
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      },
    },
    field("key-input", t("key.label"), t("key.hint"), input),
    error,
    h("button", { type: "submit", id: "key-pin" }, t("key.pin")),
  );
  return h("section", { "aria-labelledby": "key-heading" }, h("h2", { id: "key-heading" }, t("key.heading")), status, form);
}

export async function renderSignIn(ctx) {
  const parts = [h("h1", { tabindex: "-1" }, t("signin.title"))];
  if (ctx.me) {
    parts.push(
      h(
        "section",
        { "aria-labelledby": "me-heading", id: "me" },
        h("h2", { id: "me-heading" }, t("signin.who")),
        h("dl", {}, h("dt", {}, t("field.sub")), h("dd", { id: "me-sub" }, ctx.me.sub), h("dt", {}, t("field.party")), h("dd", {}, ctx.me.party || "—"), h("dt", {}, t("field.roles")), h("dd", { id: "me-roles" }, ctx.me.roles.join(", ") || "—")),
        h("p", { id: "me-may" }, permissions(ctx.me)),
        h("p", {}, h("a", { href: "#/timeline", id: "go-timeline" }, t("signin.toTimeline"))),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            id: "signout",
            onclick: () => {
              session.token = null;
              ctx.me = null;
              ctx.rerender();
            },
          },
          t("signin.out"),
        ),
      ),
    );
  }
  const input = h("textarea", { id: "token-input", rows: "3", "aria-describedby": "token-input-hint token-error", spellcheck: "false", autocomplete: "off" });
  const error = h("p", { id: "token-error", class: "error", "aria-live": "polite" });
  parts.push(
    h(
      "form",
      {
        id: "signin-form",
        onsubmit: async (event) => {
          event.preventDefault();
          const token = input.value.trim().replace(/^Bearer\s+/i, "");
          if (!token) {
            error.textContent = t("signin.empty");
            input.focus();
            return;
          }
          session.token = token;
          try {
            await ctx.whoAmI();
            ctx.rerender();
          } catch (failure) {
            session.token = null;
            error.textContent = t("signin.refused", { detail: failure.message });
            input.setAttribute("aria-invalid", "true");
            input.focus();
          }
        },
      },
      h("h2", {}, ctx.me ? t("signin.other") : t("signin.paste")),
      field("token-input", t("signin.label"), t("signin.hint"), input),
      error,
      h("button", { type: "submit", id: "signin-submit" }, t("signin.submit")),
    ),
  );
  parts.push(await keySection());
  return h("div", {}, parts);
}
