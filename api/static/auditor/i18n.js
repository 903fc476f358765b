// The chosen language: labels from messages.js, dates and times by Intl in that locale.

import { MESSAGES } from "./messages.js";

const LOCALES = { en: "en-CA", fr: "fr-CA" };
let current = "en";

export function setLang(next) {
  current = next in MESSAGES ? next : "en";
}

export function lang() {
  return current;
}

/** The message `key` with its `{name}` slots filled; an unknown key shows as ⟦key⟧. */
export function t(key, params = {}) {
  const template = MESSAGES[current][key];
  if (template === undefined) return `⟦${key}⟧`;
  return template.replace(/\{(\w+)\}/g, (slot, name) => (name in params ? String(params[name]) : slot));
}

/** A recorded moment, to the second, in the viewer's time zone. */
export function formatInstant(text) {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return String(text);
  return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: "long", timeStyle: "medium" }).format(date);
}

/** A calendar date (YYYY-MM-DD), as itself: no time zone may move it a day. */
export function formatDay(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  if (!match) return String(text);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: "long", timeZone: "UTC" }).format(date);
}
