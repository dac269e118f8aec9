// One file under review and its findings: the preview (text with its spans marked, an image with its boxes,
// a video or audio with its time ranges on a timeline) and the list of violations with their buttons. The
// single-asset review and each part of a bundle's review draw through the same code.
import { clear, h } from "./dom.js";
import { applyFix, boxPercent, isBox, isRange, isSpan, locationsOf, rangePercent, replacementOf, textSegments } from "./overlay.js";
import { severityLabel, worstSeverity } from "./severity.js";
import { drawWaveform } from "./waveform.js";

export const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

/** text, image, video or audio: from the content type and the preview's MIME type (a review or a part). */
export function mediumOf(item) {
  const mime = item.preview?.mimeType || "";
  if (item.contentType === "text" || mime.startsWith("text/")) return "text";
  if (mime.startsWith("image/") || item.contentType === "image") return "image";
  if (mime.startsWith("video/") || item.contentType === "video") return "video";
  return "audio";
}

/** A text file's content ("" when it cannot be read: the page still works without it). */
export async function fetchText(url) {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : "";
  } catch {
    return "";
  }
}

/**
 * The file with its findings where they are. ``ids`` names the elements ({text, image, media}); ``label`` is
 * the image's alt text or the player's name; ``text`` skips the fetch of a text file whose content is known.
 * Returns {nodes, text, marks, boxes}: the elements to show, the text, and violation index -> marked elements.
 */
export async function drawPreview({ medium, url, label, violations, ids = {}, text }) {
  const marks = new Map();
  const boxes = new Map();
  const nodes = [];
  const remember = (map, index, el) => {
    if (!map.has(index)) map.set(index, []);
    map.get(index).push(el);
  };
  let content = "";
  if (medium === "text") {
    content = typeof text === "string" ? text : await fetchText(url);
    const body = h("div", { class: "text-preview", id: ids.text });
    for (const segment of textSegments(content, violations)) {
      if (!segment.marks.length) {
        body.append(segment.text);
        continue;
      }
      const worst = worstSeverity(segment.marks.map((i) => violations[i]));
      const title = segment.marks.map((i) => `${i + 1}. ${violations[i].ruleId}`).join("; ");
      const mark = h("mark", { class: `sev-${worst}`, title, dataset: { violations: segment.marks.join(" ") } }, segment.text, h("span", { class: "visually-hidden" }, ` (violation ${segment.marks.map((i) => i + 1).join(", ")})`));
      for (const i of segment.marks) remember(marks, i, mark);
      body.append(mark);
    }
    nodes.push(body);
  } else if (medium === "image") {
    const img = h("img", { src: url, alt: label, id: ids.image });
    const stage = h("div", { class: "image-stage" }, img);
    const placeBoxes = () => {
      violations.forEach((v, index) => {
        locationsOf(v).filter(isBox).forEach((box) => {
          const el = h("div", { class: `box sev-${v.severity}`, style: boxPercent(box, img.naturalWidth, img.naturalHeight), "aria-hidden": "true", dataset: { violation: String(index) } }, h("span", { class: "box-label" }, String(index + 1)));
          stage.append(el);
          remember(boxes, index, el);
        });
      });
    };
    if (img.complete && img.naturalWidth) placeBoxes();
    else img.addEventListener("load", placeBoxes, { once: true });
    nodes.push(stage);
  } else {
    const media = h(medium === "video" ? "video" : "audio", { controls: true, src: url, preload: "metadata", id: ids.media, "aria-label": label });
    const ranges = [];
    violations.forEach((v, index) => locationsOf(v).filter(isRange).forEach((r) => ranges.push({ r, v, index })));
    const timeline = h("div", { class: "timeline", role: "group", "aria-label": ids.timelineLabel || "Violations on the timeline" });
    const drawTimeline = () => {
      const duration = Number.isFinite(media.duration) && media.duration > 0 ? media.duration : Math.max(1, ...ranges.map((x) => x.r.endSeconds));
      clear(timeline).append(h("div", { class: "timeline-track" }));
      for (const { r, v, index } of ranges) {
        timeline.append(
          h(
            "button",
            {
              type: "button",
              class: `range sev-${v.severity}`,
              style: rangePercent(r, duration),
              "aria-label": `Violation ${index + 1}, ${v.ruleId}, ${clock(r.startSeconds)} to ${clock(r.endSeconds)}: play from there`,
              onclick: () => {
                media.currentTime = r.startSeconds;
                media.play?.().catch(() => {});
              },
            },
            String(index + 1),
          ),
        );
      }
    };
    drawTimeline();
    media.addEventListener("loadedmetadata", drawTimeline);
    nodes.push(media);
    if (medium === "audio") {
      // The waveform sits under the timeline's marks; a file the browser cannot decode keeps the player only.
      const canvas = h("canvas", { class: "waveform", role: "img", "aria-label": `Waveform of ${label}` });
      nodes.push(canvas);
      drawWaveform(url, canvas).catch(() => canvas.remove());
    }
    nodes.push(timeline);
  }
  return { nodes, text: content, marks, boxes };
}

/** Where a violation is, in words: the quoted text, the box, the time range. */
export function whereOf(v) {
  return locationsOf(v)
    .map((loc) => (isSpan(loc) ? `“${loc.text}”` : isBox(loc) ? `box at ${loc.x},${loc.y} (${loc.width}×${loc.height})` : isRange(loc) ? `${clock(loc.startSeconds)}–${clock(loc.endSeconds)}` : ""))
    .filter(Boolean)
    .join(", ");
}

/**
 * The violations as list items with their buttons. ``edit`` ({editor, open, originalLength}) wires "Apply fix"
 * and "Edit" to a text editor; ``shown`` ({marks, boxes}) wires "Show"; ``suffix`` ends every button's name
 * (" in copy") so the buttons of several parts on one page stay distinct.
 */
export function violationItems(violations, { medium, edit = null, shown = null, announce = () => {}, suffix = "" } = {}) {
  return violations.map((v, index) => {
    const buttons = [];
    const fix = replacementOf(v);
    const span = locationsOf(v).find(isSpan);
    if (medium === "text" && edit && fix) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              const result = applyFix(edit.editor.value, v, edit.originalLength());
              if (!result) {
                announce("That text is no longer in the editor; edit it by hand.");
                return;
              }
              edit.editor.value = result.text;
              edit.open();
              edit.editor.focus();
              edit.editor.setSelectionRange(result.at, result.at + (fix.text || "").length);
              announce(`Fix ${index + 1} applied in the editor`);
            },
          },
          `Apply fix ${index + 1}${suffix}`,
        ),
      );
    }
    if (medium === "text" && edit && !fix && span) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              const editor = edit.editor;
              edit.open();
              editor.focus();
              const at = editor.value.slice(span.start, span.end) === span.text ? span.start : editor.value.indexOf(span.text);
              if (at >= 0) editor.setSelectionRange(at, at + span.text.length);
              announce(`“${span.text}” selected in the editor: type its replacement`);
            },
          },
          `Edit “${span.text}”${suffix}`,
        ),
      );
    }
    const targets = () => (shown ? shown.marks.get(index) || shown.boxes.get(index) || [] : []);
    if (shown && (shown.marks.has(index) || locationsOf(v).some(isBox))) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              for (const el of document.querySelectorAll(".flash")) el.classList.remove("flash");
              for (const el of targets()) el.classList.add("flash");
              targets()[0]?.scrollIntoView({ block: "center", behavior: "smooth" });
            },
          },
          `Show ${index + 1}${suffix}`,
        ),
      );
    }
    const where = whereOf(v);
    return h(
      "li",
      { class: `violation sev-${v.severity}` },
      h("p", { class: "violation-head" }, h("span", { class: `badge sev-${v.severity}` }, severityLabel(v.severity)), " ", h("code", {}, v.ruleId), v.count > 1 ? ` ×${v.count}` : ""),
      h("p", {}, v.message),
      where ? h("p", { class: "hint" }, `Where: ${where}`) : null,
      v.suggestion ? h("p", { class: "suggestion" }, h("strong", {}, "Suggestion: "), v.suggestion) : null,
      fix ? h("p", { class: "hint" }, fix.text ? `Fix: “${fix.text}”` : "Fix: remove it") : null,
      buttons.length ? h("div", { class: "actions" }, buttons) : null,
    );
  });
}

/**
 * A bundle's findings split as its review lists them: the bundle-wide ones (the bundle lint's rules are all
 * ``bundle.*``) first, then the lead part's (the review's other violations are the lead's own, in full), and
 * each media part's own.
 */
export function bundleFindings(review) {
  const all = review.violations || [];
  const bundleWide = all.filter((v) => String(v.ruleId || "").startsWith("bundle."));
  const lead = all.filter((v) => !String(v.ruleId || "").startsWith("bundle."));
  const byPart = new Map((review.parts || []).map((part, n) => [part.partId, n === 0 && lead.length >= (part.violations || []).length ? lead : part.violations || []]));
  return { bundleWide, byPart };
}
