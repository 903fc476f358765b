// Two states of a roadmap compared: items added, removed, and changed field by field.

export const SECTIONS = ["roadmap", "pledges", "consultations", "decisions", "exchanges", "reform_proposals", "assessments"];

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Fields that only restate another (`*_translated`) are left out: the text itself is compared. */
function fieldsChanged(before, after) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((n) => !n.endsWith("_translated")).sort();
  return names.filter((n) => !same(before[n], after[n])).map((field) => ({ field, before: before[field], after: after[field] }));
}

export function diffStates(then, now) {
  const added = [];
  const removed = [];
  const changed = [];
  for (const section of SECTIONS) {
    const list = (state) => (section === "roadmap" ? (state.roadmap ? [state.roadmap] : []) : state[section] || []);
    const before = new Map(list(then).map((item) => [item.id, item]));
    const after = new Map(list(now).map((item) => [item.id, item]));
    for (const [id, item] of after) {
      if (!before.has(id)) added.push({ section, id, item });
      else {
        const fields = fieldsChanged(before.get(id), item);
        if (fields.length) changed.push({ section, id, item, fields });
      }
    }
    for (const [id, item] of before) if (!after.has(id)) removed.push({ section, id, item });
  }
  return { added, removed, changed };
}
