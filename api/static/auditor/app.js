// The auditor's workbench: hash routes (#/signin, #/timeline, #/entries/<position>,
// #/items/<id>, #/time-travel?as_of=&compare=&effective_on=), one view each.

import { api, ApiError } from "./api.js";
import { append, clear, h } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";
import { session } from "./session.js";
import { renderEntry } from "./views/entry.js";
import { renderItem } from "./views/item.js";
import { renderSignIn } from "./views/signin.js";
import { renderTimeline } from "./views/timeline.js";
import { renderTimeTravel } from "./views/timetravel.js";

const ROUTES = [
  [/^\/?$/, renderSignIn, "signin"],
  [/^\/signin$/, renderSignIn, "signin"],
  [/^\/timeline$/, renderTimeline, "timeline"],
  [/^\/entries\/(\d+)$/, renderEntry, "timeline"],
  [/^\/items\/([0-9a-fA-F-]{36})$/, renderItem, "timeline"],
  [/^\/time-travel$/, renderTimeTravel, "time-travel"],
];

const context = { me: null };

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  // A pasted link may hold a time's "+00:00" unescaped: it is a plus, never a space.
  return { path, params: new URLSearchParams(search.replaceAll("+", "%2B")) };
}

export function navigate(path, params) {
  const search = params ? new URLSearchParams(params).toString() : "";
  location.hash = `#${path}${search ? `?${search}` : ""}`;
}

/** Who the token is (GET /me), or null without a valid token. */
export async function whoAmI() {
  if (!session.token) {
    context.me = null;
    return null;
  }
  try {
    context.me = await api.json("/me");
  } catch (error) {
    context.me = null;
    if (error instanceof ApiError && error.status === 401) session.token = null;
    throw error;
  }
  return context.me;
}

function renderChrome(active) {
  document.documentElement.lang = lang();
  document.title = t("app.title");
  const header = clear(document.getElementById("header"));
  const other = lang() === "en" ? "fr" : "en";
  append(header, [
    h("a", { class: "skip", href: "#main", id: "skip" }, t("nav.skip")),
    h(
      "div",
      { class: "bar" },
      h("p", { class: "brand" }, t("app.name")),
      h(
        "button",
        { type: "button", id: "lang-toggle", lang: other, class: "link-button", onclick: () => switchLanguage(other) },
        t("lang.other"),
      ),
    ),
    h(
      "nav",
      { "aria-label": t("nav.label") },
      h(
        "ul",
        {},
        [
          ["#/signin", "signin", "nav.signin"],
          ["#/timeline", "timeline", "nav.timeline"],
          ["#/time-travel", "time-travel", "nav.timetravel"],
        ].map(([href, name, key]) =>
          h("li", {}, h("a", { href, id: `nav-${name}`, "aria-current": active === name ? "page" : null }, t(key))),
        ),
      ),
      context.me
        ? h("p", { class: "who", id: "who" }, t("who.line", { sub: context.me.sub, roles: context.me.roles.join(", ") || "—" }))
        : null,
    ),
  ]);
  document.getElementById("footer").textContent = t("app.footer");
}

function switchLanguage(next) {
  setLang(next);
  session.lang = next;
  render().then(() => document.getElementById("lang-toggle")?.focus());
}

let rendering = 0;

export async function render() {
  const turn = (rendering += 1);
  const { path, params } = parseHash();
  const route = ROUTES.find(([pattern]) => pattern.test(path)) || ROUTES[0];
  const [pattern, view, active] = route;
  const match = path.match(pattern) || [];
  if (context.me === null && session.token) {
    try {
      await whoAmI();
    } catch {
      /* the sign-in view says why */
    }
  }
  renderChrome(active);
  const main = clear(document.getElementById("main"));
  main.setAttribute("aria-busy", "true");
  try {
    const content = await view({ ...context, params, arg: match[1], navigate, whoAmI, rerender: render });
    if (turn !== rendering) return;
    clear(main);
    append(main, [content]);
  } catch (error) {
    if (turn !== rendering) return;
    clear(main);
    append(main, [h("h1", { tabindex: "-1" }, t("error.title")), h("p", { class: "error", role: "alert" }, error.message)]);
  }
  renderChrome(active);
  main.removeAttribute("aria-busy");
  main.querySelector("h1")?.focus({ preventScroll: false });
  document.body.dataset.ready = String(turn);
}

setLang(session.lang);
window.addEventListener("hashchange", () => render());
render();
