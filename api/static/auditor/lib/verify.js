// The checks the page makes without taking the server's word: the checkpoint's signature by the
// pinned key, each entry's leaf recomputed from its fields and proven to the signed root, and
// the log's growth since the checkpoint last seen. No DOM here: results carry message keys.

import { equal, fromHex, hex, toBase64 } from "./bytes.js";
import { leafHash } from "./canonical.js";
import { verifyConsistency, verifyInclusion } from "./merkle.js";
import { parseCheckpoint, parseNote, signedBy } from "./note.js";

export const SEEN_KEY = "roadmap-ledger.seen-checkpoint";

const failed = (reason, params = {}) => ({ status: "failed", reason, params });

/** The latest checkpoint, checked against the pinned key: {status, reason, checkpoint, note}. */
export async function checkCheckpoint(api, key) {
  if (!key) return { status: "unchecked", reason: "reason.noKey", params: {} };
  let message;
  try {
    message = await api.text("/audit/checkpoint");
  } catch (error) {
    return failed("reason.checkpointUnavailable", { detail: error.message });
  }
  let note;
  let checkpoint;
  try {
    note = parseNote(message);
    checkpoint = parseCheckpoint(note.text);
  } catch {
    return failed("reason.checkpointMalformed");
  }
  if (checkpoint.origin !== key.name) {
    return failed("reason.originDiffers", { origin: checkpoint.origin, name: key.name });
  }
  if (!(await signedBy(note, key))) return failed("reason.badSignature");
  return { status: "verified", reason: "reason.checkpointVerified", params: { size: checkpoint.size }, checkpoint, message };
}

/** One entry: its leaf from its own fields, proven to the checkpoint's root. */
export async function checkEntry(api, entry, checkpoint, proofs = new Map()) {
  if (!checkpoint) return { status: "unchecked", reason: "reason.noCheckpoint", params: {} };
  if (entry.leaf_index >= checkpoint.size) {
    return { status: "pending", reason: "reason.notYetSigned", params: { size: checkpoint.size } };
  }
  let leaf;
  try {
    leaf = await leafHash(entry);
  } catch (error) {
    return failed("reason.uncomputable", { detail: error.message });
  }
  let path;
  try {
    const cacheKey = `${entry.leaf_index}/${checkpoint.size}`;
    if (!proofs.has(cacheKey)) {
      proofs.set(
        cacheKey,
        api.json(`/audit/proofs/inclusion?leaf_index=${entry.leaf_index}&tree_size=${checkpoint.size}`),
      );
    }
    const proof = await proofs.get(cacheKey);
    path = proof.path.map(fromHex);
  } catch (error) {
    return failed("reason.proofUnavailable", { detail: error.message });
  }
  if (await verifyInclusion(entry.leaf_index, checkpoint.size, leaf, path, checkpoint.root)) {
    return { status: "verified", reason: "reason.included", params: { size: checkpoint.size } };
  }
  const stated = String(entry.hash || "");
  const computed = hex(leaf);
  if (computed !== stated.toLowerCase()) {
    return failed("reason.fieldsAltered", { computed: computed.slice(0, 12), stated: stated.slice(0, 12) });
  }
  return failed("reason.proofFails", { size: checkpoint.size });
}

/** The log has only grown since the checkpoint this browser last saw (kept per origin). */
export async function checkGrowth(api, checkpoint, storage = localStorage) {
  const all = JSON.parse(storage.getItem(SEEN_KEY) || "{}");
  const seen = all[checkpoint.origin];
  const remember = () => {
    all[checkpoint.origin] = { size: checkpoint.size, root: toBase64(checkpoint.root), seen_at: new Date().toISOString() };
    storage.setItem(SEEN_KEY, JSON.stringify(all));
  };
  if (!seen) {
    remember();
    return { status: "first", reason: "growth.first", params: { size: checkpoint.size } };
  }
  const seenRoot = Uint8Array.from(atob(seen.root), (c) => c.charCodeAt(0));
  const params = { since: seen.seen_at, added: checkpoint.size - seen.size, size: checkpoint.size };
  if (seen.size > checkpoint.size) return failed("growth.shrunk", { ...params, seenSize: seen.size });
  if (seen.size === checkpoint.size) {
    if (!equal(seenRoot, checkpoint.root)) return failed("growth.forked", params);
    return { status: "verified", reason: "growth.same", params };
  }
  let path;
  try {
    const proof = await api.json(`/audit/proofs/consistency?first=${seen.size}&second=${checkpoint.size}`);
    path = proof.path.map(fromHex);
  } catch (error) {
    return failed("reason.proofUnavailable", { detail: error.message });
  }
  if (!(await verifyConsistency(seen.size, checkpoint.size, seenRoot, checkpoint.root, path))) {
    return failed("growth.inconsistent", params);
  }
  remember();
  return { status: "verified", reason: "growth.grown", params };
}
