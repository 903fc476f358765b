// What the page keeps: the token in sessionStorage only (gone with the tab, never in a URL or
// localStorage); the pinned verifier key, the last checkpoint seen and the language in
// localStorage (none of them secret).

const TOKEN = "roadmap-ledger.token";
const ROADMAP = "roadmap-ledger.roadmap";
const KEY = "roadmap-ledger.verifier-key";
const LANG = "roadmap-ledger.lang";

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN, value);
    else sessionStorage.removeItem(TOKEN);
  },
  get roadmap() {
    return sessionStorage.getItem(ROADMAP);
  },
  set roadmap(value) {
    if (value) sessionStorage.setItem(ROADMAP, value);
    else sessionStorage.removeItem(ROADMAP);
  },
  get pinnedKey() {
    return localStorage.getItem(KEY);
  },
  set pinnedKey(value) {
    if (value) localStorage.setItem(KEY, value);
    else localStorage.removeItem(KEY);
  },
  get lang() {
    const stored = localStorage.getItem(LANG);
    if (stored === "en" || stored === "fr") return stored;
    return (navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en";
  },
  set lang(value) {
    localStorage.setItem(LANG, value);
  },
};
