// The verification panel and the badges, shared by the views that show entries.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatInstant, t } from "../i18n.js";
import { parseVerifierKey } from "../lib/note.js";
import { checkCheckpoint, checkEntry, checkGrowth } from "../lib/verify.js";
import { session } from "../session.js";

const LABELS = { verified: "badge.verified", failed: "badge.failed", pending: "badge.pending", unchecked: "badge.unchecked", first: "badge.first" };

function reasonText(result) {
  const params = { ...result.params };
  if (params.since) params.since = formatInstant(params.since);
  return t(result.reason, params);
}

export function badge(result) {
  return h(
    "span",
    { class: `badge ${result.status}`, "data-status": result.status },
    h("span", { class: "badge-label" }, t(LABELS[result.status] || "badge.unchecked")),
    " ",
    h("span", { class: "reason" }, reasonText(result)),
  );
}

/** The checkpoint, checked with the pinned key, and the log's growth since the last visit. */
export async function verificationPanel() {
  let key = null;
  if (session.pinnedKey) {
    try {
      key = await parseVerifierKey(session.pinnedKey);
    } catch {
      key = null;
    }
  }
  const head = await checkCheckpoint(api, key);
  const rows = [h("p", { id: "checkpoint-status" }, t("verify.checkpoint"), " ", badge(head))];
  if (key) {
    rows.push(h("p", { class: "mono small" }, t("key.fingerprint", { fp: key.fingerprint, id: key.idHex })));
    const served = await api.text("/audit/verifier-key").catch(() => null);
    if (served !== null && served.trim() !== key.text) {
      rows.push(h("p", { class: "warning", role: "alert", id: "key-differs" }, t("key.differs")));
    }
  } else {
    rows.push(h("p", {}, h("a", { href: "#/signin" }, t("verify.pinLink"))));
  }
  if (head.status === "verified") {
    const growth = await checkGrowth(api, head.checkpoint);
    rows.push(h("p", { id: "growth-status" }, t("verify.growth"), " ", badge(growth)));
  }
  const panel = h("section", { class: "panel", "aria-labelledby": "verify-heading", id: "verification" }, h("h2", { id: "verify-heading" }, t("verify.heading")), rows);
  return { panel, checkpoint: head.status === "verified" ? head.checkpoint : null, head };
}

/** Fills each entry's badge cell as its check ends. */
export async function verifyInto(entries, checkpoint, cells, headStatus) {
  const proofs = new Map();
  await Promise.all(
    entries.map(async (entry, i) => {
      let result;
      if (headStatus?.status === "failed") result = { status: "failed", reason: "reason.checkpointFailed", params: {} };
      else if (headStatus?.status === "unchecked") result = { status: "unchecked", reason: headStatus.reason, params: {} };
      else result = await checkEntry(api, entry, checkpoint, proofs);
      cells[i].replaceChildren(badge(result));
      cells[i].dataset.status = result.status;
    }),
  );
}
