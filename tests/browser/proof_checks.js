// Run by test_views.py in the page: every proof it is given must verify, and none with one
// byte altered. Answers the cases that went wrong (none, when the page's checks are right).
async ([inclusions, consistencies]) => {
  const m = await import('/auditor/lib/merkle.js');
  const b = await import('/auditor/lib/bytes.js');
  const flip = (hex) => (parseInt(hex.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + hex.slice(2);
  const bad = [];
  for (const c of inclusions) {
      const path = c.path.map(b.fromHex), leaf = b.fromHex(c.leaf), root = b.fromHex(c.root);
      if (!(await m.verifyInclusion(c.index, c.size, leaf, path, root))) bad.push(['inclusion', c.index, c.size]);
      for (let k = 0; k < c.path.length; k++) {
          const altered = c.path.map((p, j) => b.fromHex(j === k ? flip(p) : p));
          if (await m.verifyInclusion(c.index, c.size, leaf, altered, root)) bad.push(['altered inclusion', c.index, c.size, k]);
      }
      if (await m.verifyInclusion(c.size, c.size, leaf, path, root)) bad.push(['index beyond size', c.index, c.size]);
      if (await m.verifyInclusion(c.index, c.size, b.fromHex(flip(c.leaf)), path, root)) bad.push(['altered leaf', c.index, c.size]);
  }
  for (const c of consistencies) {
      const path = c.path.map(b.fromHex), r1 = b.fromHex(c.first_root), r2 = b.fromHex(c.second_root);
      if (!(await m.verifyConsistency(c.first, c.second, r1, r2, path))) bad.push(['consistency', c.first, c.second]);
      for (let k = 0; k < c.path.length; k++) {
          const altered = c.path.map((p, j) => b.fromHex(j === k ? flip(p) : p));
          if (await m.verifyConsistency(c.first, c.second, r1, r2, altered)) bad.push(['altered consistency', c.first, c.second, k]);
      }
      if (c.first < c.second && await m.verifyConsistency(c.first, c.second, b.fromHex(flip(c.first_root)), r2, path)) bad.push(['altered first root', c.first, c.second]);
  }
  return bad;
}
