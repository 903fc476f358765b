// The leaf of an audit entry, recomputed in the browser from the entry's own fields
// (docs/audit.md "Leaves"): SHA-256(0x00 ‖ canonical JSON of the leaf fields).

import { concat, hex, sha256, utf8 } from "./bytes.js";

export const LEAF_FIELDS = [
  "stream_id",
  "stream_version",
  "event_type",
  "recorded_at",
  "effective_on",
  "actor",
  "actor_party",
  "data",
];

const ESCAPES = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** A JSON string as Python's json.dumps(ensure_ascii=False) writes it. */
function quote(text) {
  let out = '"';
  for (const ch of text) {
    if (ch in ESCAPES) out += ESCAPES[ch];
    else if (ch < " ") out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python sorts keys by code point; JavaScript's default sort compares UTF-16 units. */
function byCodePoint(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** Canonical JSON: keys sorted, no whitespace. Numbers must be integers (amounts are strings). */
export function canonical(value) {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`the number ${value} cannot be checked exactly in a browser`);
    }
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${quote(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  throw new Error(`no canonical JSON for a ${typeof value}`);
}

export function leafBytes(entry) {
  const fields = {};
  for (const name of LEAF_FIELDS) {
    if (!(name in entry)) throw new Error(`the entry has no ${name}`);
    fields[name] = entry[name];
  }
  return utf8(canonical(fields));
}

/** The leaf hash (bytes) of an audit entry, from its fields alone. */
export async function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), leafBytes(entry)));
}

export async function leafHashHex(entry) {
  return hex(await leafHash(entry));
}
