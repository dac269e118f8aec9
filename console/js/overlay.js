// Where violations sit on an asset: text spans cut into highlighted segments, image boxes as percentages of
// the image, time ranges as percentages of the timeline; and a violation's fix applied to edited text.

/** Location objects of a violation (the first one, then any others the report lists). */
export function locationsOf(violation) {
  const all = [];
  if (violation.location) all.push(violation.location);
  for (const loc of violation.locations || []) {
    if (loc && !all.some((x) => JSON.stringify(x) === JSON.stringify(loc))) all.push(loc);
  }
  return all;
}

export const isSpan = (loc) => loc && Number.isInteger(loc.start) && Number.isInteger(loc.end);
export const isBox = (loc) => loc && ["x", "y", "width", "height"].every((k) => typeof loc[k] === "number");
export const isRange = (loc) => loc && typeof loc.startSeconds === "number" && typeof loc.endSeconds === "number";

/**
 * The text cut at every span boundary: [{start, end, text, marks: [violation index...]}]. Overlapping spans
 * give segments carrying every violation that covers them; spans past the end are clipped.
 */
export function textSegments(text, violations) {
  const spans = [];
  violations.forEach((v, index) => {
    for (const loc of locationsOf(v)) {
      if (isSpan(loc) && loc.end > loc.start) {
        spans.push({ start: Math.max(0, loc.start), end: Math.min(text.length, loc.end), index });
      }
    }
  });
  const cuts = new Set([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const segments = [];
  for (let i = 0; i < points.length - 1; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    if (end <= start) continue;
    const marks = spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.index);
    segments.push({ start, end, text: text.slice(start, end), marks: [...new Set(marks)] });
  }
  return segments;
}

/** A box in image pixels as CSS percentages of the image's natural size. */
export function boxPercent(box, naturalWidth, naturalHeight) {
  const clamp = (n) => Math.max(0, Math.min(100, n));
  const left = clamp((box.x / naturalWidth) * 100);
  const top = clamp((box.y / naturalHeight) * 100);
  return {
    left: `${left}%`,
    top: `${top}%`,
    width: `${Math.min(100 - left, (box.width / naturalWidth) * 100)}%`,
    height: `${Math.min(100 - top, (box.height / naturalHeight) * 100)}%`,
  };
}

/** A time range as left/width percentages of a duration. */
export function rangePercent(range, duration) {
  const d = duration > 0 ? duration : Math.max(range.endSeconds, 1);
  const left = Math.max(0, Math.min(100, (range.startSeconds / d) * 100));
  const width = Math.max(0.8, Math.min(100 - left, ((range.endSeconds - range.startSeconds) / d) * 100));
  return { left: `${left}%`, width: `${width}%` };
}

/** A violation's mechanical fix: replace ``span`` (insert at span.start when the span is empty) with text. */
export function replacementOf(violation) {
  if (violation.fix && violation.fix.span) {
    return { span: violation.fix.span, text: violation.fix.text || "", kind: violation.fix.kind };
  }
  return null;
}

/**
 * Apply a violation's fix to the editor's current text. Offsets were measured on the original text
 * (originalLength long), so the span is used where the editor still has the same words there; otherwise
 * the nearest occurrence of those words is used; an insertion at the original's end goes at the end.
 * Returns {text, at} or null when the words are no longer in the editor.
 */
export function applyFix(current, violation, originalLength = current.length) {
  const fix = replacementOf(violation);
  if (!fix) return null;
  const { span, text } = fix;
  const original = span.text ?? "";
  let start = span.start;
  if (original === "") {
    start = span.start >= originalLength ? current.length : Math.min(span.start, current.length);
    return { text: current.slice(0, start) + text + current.slice(start), at: start };
  }
  if (current.slice(start, start + original.length) !== original) {
    let best = -1;
    let from = current.indexOf(original);
    while (from !== -1) {
      if (best === -1 || Math.abs(from - span.start) < Math.abs(best - span.start)) best = from;
      from = current.indexOf(original, from + 1);
    }
    if (best === -1) return null;
    start = best;
  }
  return { text: current.slice(0, start) + text + current.slice(start + original.length), at: start };
}
