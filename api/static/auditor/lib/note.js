// C2SP signed notes, tlog-checkpoints and verifier keys (docs/audit.md "Checkpoints"), and the
// Ed25519 check of a checkpoint's signature with WebCrypto.

import { concat, equal, fromBase64, fromHex, hex, sha256, utf8 } from "./bytes.js";

const ED25519 = 1;
const PREFIX = "\u2014 "; // EM DASH and a space

async function keyId(name, kind, publicKey) {
  const digest = await sha256(concat(utf8(`${name}\n`), new Uint8Array([kind]), publicKey));
  return digest.slice(0, 4);
}

/** `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, its key ID checked. */
export async function parseVerifierKey(text) {
  const trimmed = String(text).trim();
  const first = trimmed.indexOf("+");
  const second = trimmed.indexOf("+", first + 1);
  if (first <= 0 || second < 0) throw new Error("key.format");
  const name = trimmed.slice(0, first);
  const idHex = trimmed.slice(first + 1, second);
  let data;
  try {
    data = fromBase64(trimmed.slice(second + 1));
  } catch {
    throw new Error("key.format");
  }
  if (!/^[0-9a-fA-F]{8}$/.test(idHex) || data.length !== 33 || data[0] !== ED25519) {
    throw new Error("key.format");
  }
  const publicKey = data.slice(1);
  const id = await keyId(name, ED25519, publicKey);
  if (!equal(id, fromHex(idHex.toLowerCase()))) throw new Error("key.id");
  const fingerprint = hex(await sha256(publicKey)).slice(0, 32).match(/.{4}/g).join(" ");
  return { name, id, idHex: hex(id), publicKey, fingerprint, text: trimmed };
}

/** A signed note's text (up to its blank line) and its signature lines. */
export function parseNote(message) {
  const split = message.lastIndexOf("\n\n");
  if (split < 0 || !message.endsWith("\n")) throw new Error("note.format");
  const text = message.slice(0, split + 1);
  const lines = message.slice(split + 2, -1).split("\n");
  const signatures = lines.map((line) => {
    if (!line.startsWith(PREFIX)) throw new Error("note.format");
    const [name, encoded, ...rest] = line.slice(PREFIX.length).split(" ");
    if (!name || !encoded || rest.length) throw new Error("note.format");
    const data = fromBase64(encoded);
    return { name, id: data.slice(0, 4), payload: data.slice(4) };
  });
  return { text, signatures };
}

/** A checkpoint's origin, size and root. */
export function parseCheckpoint(text) {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") throw new Error("note.format");
  const [origin, size, root] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new Error("note.format");
  }
  const rootBytes = fromBase64(root);
  if (rootBytes.length !== 32) throw new Error("note.format");
  return { origin, size: Number(size), root: rootBytes };
}

/** Whether a signature line names `key` and its Ed25519 signature covers the note's text. */
export async function signedBy(note, key) {
  const named = note.signatures.filter((s) => s.name === key.name && equal(s.id, key.id));
  if (!named.length) return false;
  const publicKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, [
    "verify",
  ]);
  for (const signature of named) {
    if (signature.payload.length !== 64) return false;
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature.payload, utf8(note.text));
    if (!ok) return false;
  }
  return true;
}
