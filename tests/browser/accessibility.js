// Run by test_accessibility.py in the page: landmarks, a label for every control, and the
// contrast of every piece of visible text against the background it is drawn on (WCAG 2.1
// 1.4.3: 4.5:1). Answers what fails, as text.
() => {
  const problems = [];
  for (const landmark of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(landmark)) problems.push(`no <${landmark}> landmark`);
  }
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (control.type === "hidden") continue;
    if (!control.labels || control.labels.length === 0) problems.push(`no label: #${control.id || control.name}`);
  }
  for (const button of document.querySelectorAll("button, a[href]")) {
    if (!button.textContent.trim() && !button.getAttribute("aria-label")) problems.push(`no name: ${button.outerHTML.slice(0, 60)}`);
  }
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
      if (a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !el.checkVisibility()) continue;
    seen.add(el);
    const fg = rgb(getComputedStyle(el).color);
    const [l1, l2] = [luminance(fg), luminance(background(el))].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}:1: "${walker.currentNode.textContent.trim().slice(0, 40)}"`);
  }
  return problems;
}
