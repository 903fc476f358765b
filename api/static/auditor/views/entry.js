// One audit entry (#/entries/<position>): its fields, its badge, its proof bundle.

import { api } from "../api.js";
import { download, h } from "../dom.js";
import { formatDay, formatInstant, t } from "../i18n.js";
import { needsAuditor } from "./timeline.js";
import { verificationPanel, verifyInto } from "./verification.js";

export async function renderEntry(ctx) {
  const refused = needsAuditor(ctx);
  if (refused) return refused;
  const position = Number(ctx.arg);
  const page = await api.json(`/audit/entries?after=${position - 1}&limit=1`);
  const entry = page.entries[0];
  const title = h("h1", { tabindex: "-1" }, t("entry.title", { position }));
  if (!entry || entry.position !== position) return h("div", {}, title, h("p", { role: "alert" }, t("entry.none", { position })));
  const { panel, checkpoint, head } = await verificationPanel();
  const cell = h("div", { id: "entry-badge", "aria-live": "polite" }, t("badge.checking"));
  await verifyInto([entry], checkpoint, [cell], head);
  const rows = [
    ["col.position", String(entry.position)],
    ["field.leafIndex", String(entry.leaf_index)],
    ["col.recorded", formatInstant(entry.recorded_at)],
    ["col.effective", formatDay(entry.effective_on)],
    ["col.actor", `${entry.actor}${entry.actor_party ? ` (${entry.actor_party})` : ""}`],
    ["field.kind", t(`kind.${entry.item_kind}`)],
    ["field.eventType", entry.event_type],
    ["field.stream", `${entry.stream_id} v${entry.stream_version}`],
    ["col.summary", entry.summary],
    ["field.hash", entry.hash],
  ];
  const bundle = h(
    "button",
    {
      type: "button",
      id: "download-bundle",
      disabled: !checkpoint || entry.leaf_index >= checkpoint.size,
      onclick: async () => {
        const text = await api.text(`/audit/proofs/bundle?leaf_index=${entry.leaf_index}&tree_size=${checkpoint.size}`);
        download(`entry-${entry.position}.tlog-proof`, text, "text/plain");
      },
    },
    t("entry.bundle"),
  );
  return h(
    "div",
    {},
    title,
    panel,
    h("section", { "aria-labelledby": "entry-verification" }, h("h2", { id: "entry-verification" }, t("col.verification")), cell, h("p", {}, bundle)),
    h("section", { "aria-labelledby": "entry-fields" }, h("h2", { id: "entry-fields" }, t("entry.fields")), h("dl", { class: "fields" }, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", { class: k === "field.hash" ? "mono" : null }, v)]))),
    h("section", { "aria-labelledby": "entry-data" }, h("h2", { id: "entry-data" }, t("entry.data")), h("pre", { class: "data", tabindex: "0" }, JSON.stringify(entry.data, null, 2))),
    h("p", {}, h("a", { href: `#/items/${entry.stream_id}` }, t("entry.toItem")), " · ", h("a", { href: "#/timeline" }, t("entry.toTimeline"))),
  );
}
