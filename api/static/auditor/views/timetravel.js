// The roadmap as recorded at a moment and in effect on a date, and the comparison of two
// moments: "what did we believe then, and what do we believe now, about that date".

import { api, query } from "../api.js";
import { h } from "../dom.js";
import { formatDay, formatInstant, t } from "../i18n.js";
import { diffStates, SECTIONS } from "../lib/diff.js";
import { shown } from "./item.js";
import { needsAuditor, roadmapChooser } from "./timeline.js";

function stateTables(state) {
  return SECTIONS.filter((s) => s !== "roadmap").map((section) => {
    const items = state[section] || [];
    return h(
      "section",
      { "aria-labelledby": `s-${section}` },
      h("h3", { id: `s-${section}` }, t(`section.${section}`), ` (${items.length})`),
      items.length
        ? h(
            "table",
            { class: "state", "data-section": section },
            h("thead", {}, h("tr", {}, ["col.title", "col.status", "col.effective", "col.version"].map((k) => h("th", { scope: "col" }, t(k))))),
            h("tbody", {}, items.map((item) => h("tr", { "data-id": item.id }, h("td", {}, h("a", { href: `#/items/${item.id}` }, shown(item.title ?? item.text ?? item.id))), h("td", {}, item.status || "—"), h("td", {}, item.effective_on ? formatDay(item.effective_on) : "—"), h("td", {}, String(item.version))))),
          )
        : h("p", { class: "hint" }, t("tt.noItems")),
    );
  });
}

function comparison(then, now) {
  const diff = diffStates(then, now);
  const list = (key, items, render) =>
    h("section", { "aria-labelledby": `d-${key}` }, h("h3", { id: `d-${key}` }, t(`diff.${key}`), ` (${items.length})`), items.length ? h("ul", { id: `diff-${key}` }, items.map(render)) : h("p", { class: "hint" }, t("diff.none")));
  const label = (change) => `${t(`section.${change.section}`)} · ${shown(change.item.title ?? change.item.text ?? change.id)}`;
  return h(
    "section",
    { class: "panel", id: "comparison", "aria-labelledby": "comparison-heading" },
    h("h2", { id: "comparison-heading" }, t("tt.comparison")),
    list("added", diff.added, (c) => h("li", {}, h("a", { href: `#/items/${c.id}` }, label(c)))),
    list("removed", diff.removed, (c) => h("li", {}, label(c))),
    list("changed", diff.changed, (c) =>
      h("li", {}, h("a", { href: `#/items/${c.id}` }, label(c)), h("ul", { class: "changes" }, c.fields.map((f) => h("li", {}, h("span", { class: "field-name" }, f.field), ": ", h("del", {}, shown(f.before)), " → ", h("ins", {}, shown(f.after)))))),
    ),
  );
}

export async function renderTimeTravel(ctx) {
  const refused = needsAuditor(ctx);
  if (refused) return refused;
  const title = h("h1", { tabindex: "-1" }, t("tt.title"));
  const { chooser, roadmap } = await roadmapChooser(ctx);
  if (!roadmap) return h("div", {}, title, chooser);
  const params = ctx.params;
  const asOf = params.get("as_of") || "";
  const compare = params.get("compare") || "";
  const effectiveOn = params.get("effective_on") || "";
  const { moments } = await api.json(`/roadmaps/${roadmap.id}/moments`);
  const index = asOf ? Math.max(0, moments.filter((m) => new Date(m.recorded_at) <= new Date(asOf)).length - 1) : moments.length - 1;
  const go = (next) => ctx.navigate("/time-travel", Object.fromEntries(Object.entries({ as_of: asOf, compare, effective_on: effectiveOn, ...next }).filter(([, v]) => v)));
  const slider = h("input", { type: "range", id: "as-of-slider", min: "0", max: String(moments.length - 1), step: "1", value: String(index), "aria-describedby": "as-of-shown" });
  const momentText = (m) => t("tt.moment", { position: m.position, when: formatInstant(m.recorded_at), type: m.event_type, kind: t(`kind.${m.item_kind}`) });
  const shownMoment = h("output", { id: "as-of-shown", for: "as-of-slider" }, momentText(moments[index]));
  slider.addEventListener("input", () => { shownMoment.textContent = momentText(moments[Number(slider.value)]); });
  slider.addEventListener("change", () => go({ as_of: moments[Number(slider.value)].recorded_at }));
  const exact = h("input", { id: "as-of-exact", type: "text", value: asOf, placeholder: "2016-12-31T23:59:59Z", spellcheck: "false", "aria-describedby": "as-of-exact-hint" });
  const effective = h("input", { id: "effective-on", type: "date", value: effectiveOn });
  const compareSelect = h(
    "select",
    { id: "compare-with" },
    h("option", { value: "" }, t("tt.noCompare")),
    h("option", { value: "now", selected: compare === "now" }, t("tt.now")),
    moments.map((m) => h("option", { value: m.recorded_at, selected: compare === m.recorded_at }, momentText(m))),
  );
  const error = h("p", { class: "error", id: "tt-error", "aria-live": "polite" });
  const form = h(
    "form",
    {
      id: "tt-form",
      onsubmit: (event) => {
        event.preventDefault();
        const value = exact.value.trim();
        if (value && Number.isNaN(new Date(value).getTime())) {
          error.textContent = t("tt.badTime");
          exact.setAttribute("aria-invalid", "true");
          exact.focus();
          return;
        }
        go({ as_of: value, effective_on: effective.value, compare: compareSelect.value });
      },
    },
    h("fieldset", {}, h("legend", {}, t("tt.controls")),
      h("div", { class: "field" }, h("label", { for: "as-of-slider" }, t("tt.slider")), slider, shownMoment),
      h("div", { class: "field" }, h("label", { for: "as-of-exact" }, t("tt.exact")), h("p", { class: "hint", id: "as-of-exact-hint" }, t("tt.exactHint")), exact),
      h("div", { class: "field" }, h("label", { for: "effective-on" }, t("tt.effective")), effective),
      h("div", { class: "field" }, h("label", { for: "compare-with" }, t("tt.compare")), compareSelect),
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "tt-apply" }, t("tt.apply")), h("a", { href: "#/time-travel", class: "button secondary" }, t("tt.reset"))),
    ),
  );
  const stateAt = (moment) => api.json(`/roadmaps/${roadmap.id}/state${query({ as_of: moment === "now" ? "" : moment, effective_on: effectiveOn })}`).catch((e) => (e.status === 404 ? null : Promise.reject(e)));
  const then = await stateAt(asOf || "now");
  const heading = h("h2", { id: "state-heading" }, asOf ? t("tt.stateAt", { when: formatInstant(asOf) }) : t("tt.stateNow"), effectiveOn ? ` — ${t("tt.effectiveOn", { day: formatDay(effectiveOn) })}` : "");
  const parts = [title, chooser, form];
  if (compare) parts.push(comparison(then || {}, (await stateAt(compare)) || {}));
  parts.push(h("section", { id: "state", "aria-labelledby": "state-heading" }, heading, then ? [h("p", {}, t("tt.position", { position: then.position })), stateTables(then)] : h("p", { role: "status" }, t("tt.noRoadmap"))));
  return h("div", {}, parts);
}
