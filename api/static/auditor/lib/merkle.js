// RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency), as the RFC words it.
// Sizes are ordinary numbers (exact below 2^53); the bit tests use arithmetic, because
// JavaScript's bit operators work on 32 bits.

import { concat, equal, sha256 } from "./bytes.js";

const NODE = new Uint8Array([1]);

export async function nodeHash(left, right) {
  return sha256(concat(NODE, left, right));
}

const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2);

function powerOfTwo(n) {
  let m = n;
  while (m > 1 && !odd(m)) m = half(m);
  return m === 1;
}

/** Whether `path` proves that `leaf` is leaf `index` of the tree of `size` leaves with `root`. */
export async function verifyInclusion(index, size, leaf, path, root) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/** Whether `path` proves that the tree of `first` leaves (`firstRoot`) is a prefix of the tree
 * of `second` leaves (`secondRoot`). */
export async function verifyConsistency(first, second, firstRoot, secondRoot, path) {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second)) || first < 1 || first > second) {
    return false;
  }
  if (first === second) return path.length === 0 && equal(firstRoot, secondRoot);
  if (path.length === 0) return false;
  const proof = powerOfTwo(first) ? [firstRoot, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0];
  let sr = proof[0];
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}
