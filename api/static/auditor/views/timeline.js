// The roadmap's audit trail, newest first, filtered; cursor paging; CSV and JSON Lines.

import { api, query } from "../api.js";
import { download, h } from "../dom.js";
import { formatDay, formatInstant, t } from "../i18n.js";
import { session } from "../session.js";
import { verificationPanel, verifyInto } from "./verification.js";

const KINDS = ["Roadmap", "Pledge", "Consultation", "Decision", "Exchange", "ReformProposal", "Assessment"];
const FILTERS = ["event_type", "party", "actor", "item_kind", "since", "until", "effective_from", "effective_to"];
const CSV_FIELDS = ["position", "leaf_index", "recorded_at", "effective_on", "actor", "actor_party", "item_kind", "stream_id", "stream_version", "event_type", "summary", "hash"];

/** A roadmap chooser; the choice is kept for the session. */
export async function roadmapChooser(ctx) {
  const { roadmaps } = await api.json("/roadmaps");
  if (!roadmaps.length) return { chooser: h("p", {}, t("roadmap.none")), roadmap: null };
  const chosen = roadmaps.find((r) => r.id === session.roadmap) || roadmaps[0];
  session.roadmap = chosen.id;
  const select = h(
    "select",
    { id: "roadmap-select", onchange: () => { session.roadmap = select.value; ctx.rerender(); } },
    roadmaps.map((r) => h("option", { value: r.id, selected: r.id === chosen.id }, `${r.title} (${formatDay(r.adopted_on)})`)),
  );
  return { chooser: h("div", { class: "field" }, h("label", { for: "roadmap-select" }, t("roadmap.label")), select), roadmap: chosen };
}

export function needsAuditor(ctx) {
  if (!ctx.me) return h("div", {}, h("h1", { tabindex: "-1" }, t("timeline.title")), h("p", {}, h("a", { href: "#/signin" }, t("signin.first"))));
  if (!ctx.me.may.audit_trail) return h("div", {}, h("h1", { tabindex: "-1" }, t("timeline.title")), h("p", { role: "alert" }, t("timeline.forAuditors")));
  return null;
}

/** A `datetime-local` value (the viewer's time) as RFC 3339. */
function instant(local) {
  return local ? new Date(local).toISOString() : "";
}

function filterForm(ctx, params, roadmap) {
  const input = (name, type, extra = {}) =>
    h("div", { class: "field" }, h("label", { for: `f-${name}` }, t(`filter.${name}`)), h("input", { id: `f-${name}`, name, type, value: params.get(name) || "", ...extra }));
  const select = (name, options) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `f-${name}` }, t(`filter.${name}`)),
      h("select", { id: `f-${name}`, name }, h("option", { value: "" }, t("filter.any")), options.map(([value, label]) => h("option", { value, selected: params.get(name) === value }, label))),
    );
  const form = h(
    "form",
    {
      id: "filters",
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const next = {};
        for (const name of FILTERS) {
          const value = String(data.get(name) || "").trim();
          if (value) next[name] = name === "since" || name === "until" ? instant(value) : value;
        }
        ctx.navigate("/timeline", next);
      },
    },
    h("fieldset", {}, h("legend", {}, t("filter.legend")),
      h("div", { class: "grid" },
        input("event_type", "text", { pattern: "[A-Za-z]{1,64}", placeholder: "Made" }),
        select("party", (roadmap.parties || ["FR", "CA"]).map((p) => [p, p])),
        input("actor", "text"),
        select("item_kind", KINDS.map((k) => [k, t(`kind.${k}`)])),
        input("since", "datetime-local", { value: local(params.get("since")), step: "1" }),
        input("until", "datetime-local", { value: local(params.get("until")), step: "1" }),
        input("effective_from", "date"),
        input("effective_to", "date"),
      ),
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "apply-filters" }, t("filter.apply")),
        h("a", { href: "#/timeline", class: "button secondary" }, t("filter.reset")),
      ),
    ),
  );
  return form;
}

/** RFC 3339 as a `datetime-local` value in the viewer's time. */
function local(text) {
  if (!text) return "";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return "";
  const offset = date.getTimezoneOffset() * 60000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 19);
}

function row(entry) {
  const badgeCell = h("td", { class: "badge-cell", "aria-live": "polite" }, t("badge.checking"));
  const tr = h(
    "tr",
    { id: `entry-${entry.position}`, "data-position": entry.position },
    h("td", {}, h("a", { href: `#/entries/${entry.position}`, class: "permalink", "aria-label": t("timeline.permalink", { position: entry.position }) }, String(entry.position))),
    h("td", {}, h("time", { datetime: entry.recorded_at }, formatInstant(entry.recorded_at))),
    h("td", {}, h("time", { datetime: entry.effective_on }, formatDay(entry.effective_on))),
    h("td", {}, entry.actor, entry.actor_party ? ` (${entry.actor_party})` : ""),
    h("td", {}, h("a", { href: `#/items/${entry.stream_id}` }, t(`kind.${entry.item_kind}`)), " · ", entry.event_type),
    h("td", {}, entry.summary),
    badgeCell,
  );
  return { tr, badgeCell };
}

function csv(entries) {
  const cell = (value) => {
    const text = value === null || value === undefined ? "" : String(value);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text; // no formula in a spreadsheet
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [CSV_FIELDS.join(","), ...entries.map((e) => CSV_FIELDS.map((f) => cell(e[f])).join(","))].join("\r\n") + "\r\n";
}

export async function renderTimeline(ctx) {
  const refused = needsAuditor(ctx);
  if (refused) return refused;
  const { chooser, roadmap } = await roadmapChooser(ctx);
  const title = h("h1", { tabindex: "-1" }, t("timeline.title"));
  if (!roadmap) return h("div", {}, title, chooser);
  const params = ctx.params;
  const filters = {};
  for (const name of FILTERS) if (params.get(name)) filters[name] = params.get(name);
  const base = `/roadmaps/${roadmap.id}/audit`;
  const { panel, checkpoint, head } = await verificationPanel();
  const body = h("tbody", {});
  const table = h(
    "table",
    { id: "timeline" },
    h("caption", {}, t("timeline.caption")),
    h("thead", {}, h("tr", {}, ["col.position", "col.recorded", "col.effective", "col.actor", "col.item", "col.summary", "col.verification"].map((k) => h("th", { scope: "col" }, t(k))))),
    body,
  );
  const status = h("p", { id: "timeline-status", role: "status" });
  const more = h("button", { type: "button", id: "load-more", class: "secondary", hidden: true }, t("timeline.more"));
  let cursor = 0;
  let shown = 0;
  const load = async () => {
    const page = await api.json(`${base}${query({ ...filters, order: "desc", limit: 25, after: cursor || "" })}`);
    const rows = page.entries.map(row);
    body.append(...rows.map((r) => r.tr));
    shown += rows.length;
    cursor = page.next_cursor || 0;
    more.hidden = !page.next_cursor;
    status.textContent = t("timeline.count", { count: shown, position: page.position });
    await verifyInto(page.entries, checkpoint, rows.map((r) => r.badgeCell), head);
    return rows;
  };
  more.addEventListener("click", async () => {
    const rows = await load();
    rows[0]?.tr.querySelector("a")?.focus();
  });
  const everything = async () => {
    const all = [];
    let after = 0;
    do {
      const page = await api.json(`${base}${query({ ...filters, order: "desc", limit: 1000, after: after || "" })}`);
      all.push(...page.entries);
      after = page.next_cursor || 0;
    } while (after);
    return all;
  };
  const stamp = () => new Date().toISOString().replaceAll(":", "").slice(0, 15);
  const downloads = h(
    "div",
    { class: "actions" },
    h("button", { type: "button", id: "download-csv", class: "secondary", onclick: async () => download(`audit-${stamp()}.csv`, csv(await everything()), "text/csv") }, t("timeline.csv")),
    h("button", { type: "button", id: "download-jsonl", class: "secondary", onclick: async () => download(`audit-${stamp()}.jsonl`, (await everything()).map((e) => JSON.stringify(e)).join("\n") + "\n", "application/jsonl") }, t("timeline.jsonl")),
  );
  const view = h("div", {}, title, chooser, panel, filterForm(ctx, params, roadmap), downloads, status, h("div", { class: "table-wrap" }, table), more);
  await load();
  return view;
}
