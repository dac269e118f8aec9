// A bundle's review: the bundle-wide findings first, then every part (the lead text first) with its file and its
// own findings next to it. Approve and reject are for the whole bundle (the side of the review page); here a text
// part can be edited and a media part replaced by an uploaded file (approve_with_edits with its partId), and any part
// sent back alone (regenerate with partId).
import { field, h } from "../dom.js";
import { bundleFindings, drawPreview, mediumOf, violationItems } from "../findings.js";
import { worstSeverity } from "../severity.js";

const KIND = { text: "text", image: "image", video: "video", audio: "audio" };

/** "copy (text, the lead)" */
export function partTitle(part, index) {
  const notes = [KIND[mediumOf(part)] || part.contentType];
  if (index === 0) notes.push("the lead");
  if (part.required === false) notes.push("optional");
  return `${part.partId} (${notes.join(", ")})`;
}

function lintBadge(part, findings) {
  if (part.status === "failed") return h("span", { class: "badge sev-error" }, "Not made");
  if (!findings.length) {
    if (part.lintPassed === false) return h("span", { class: "badge sev-error" }, "Fails the brand check");
    return h("span", { class: "badge sev-none" }, part.lintPassed === true ? "Passes the brand check" : "No findings");
  }
  return h("span", { class: `badge sev-${worstSeverity(findings)}` }, `${findings.length} finding${findings.length === 1 ? "" : "s"}`);
}

export async function bundleColumn(review, { decide, track, trackRegenerate, announce, replaceForm }) {
  const { bundleWide, byPart } = bundleFindings(review);
  const wide = h("section", { "aria-labelledby": "bundle-findings-h", id: "bundle-findings" }, h("h2", { id: "bundle-findings-h" }, `Bundle-wide findings (${bundleWide.length})`));
  wide.append(
    bundleWide.length
      ? h("ol", { class: "violations" }, violationItems(bundleWide, { medium: "bundle", announce }))
      : h("p", { class: "empty" }, "None: the parts agree with each other and fit the platform together."),
  );
  const partsSection = h("section", { "aria-labelledby": "parts-h" }, h("h2", { id: "parts-h" }, `The parts (${review.parts.length})`));
  const drawn = await Promise.all(review.parts.map((part, index) => partCard(review, part, index, byPart.get(part.partId) || [], { decide, track, trackRegenerate, announce, replaceForm })));
  partsSection.append(h("ol", { class: "parts" }, drawn));
  return { column: [wide, partsSection], forms: [] };
}

async function partCard(review, part, index, findings, { decide, track, trackRegenerate, announce, replaceForm }) {
  const id = `part-${part.partId}`;
  const medium = mediumOf(part);
  const headingId = `${id}-h`;
  const card = h("li", { class: "part card", id, dataset: { part: part.partId } });
  card.append(h("h3", { id: headingId }, `Part ${index + 1}: ${partTitle(part, index)}`), h("p", { class: "part-verdict" }, lintBadge(part, findings)));
  let edit = null;
  let drawnPreview = null;
  if (part.status === "failed" || !part.preview) {
    card.append(h("p", { class: "notice error" }, `This part could not be made${part.error ? `: ${part.error}` : "."} Regenerate it, or reject the bundle.`));
  } else {
    drawnPreview = await drawPreview({
      medium,
      url: part.preview.url,
      label: `${part.partId}: the ${medium} under review`,
      violations: findings,
      ids: { text: `${id}-text`, image: `${id}-image`, media: `${id}-media`, timelineLabel: `Violations on the timeline of ${part.partId}` },
    });
    card.append(h("div", { class: "preview" }, drawnPreview.nodes));
  }

  // A text part's editor: approving with it edits this part and approves the bundle.
  const forms = [];
  if (medium === "text" && drawnPreview) {
    const original = drawnPreview.text;
    const editor = h("textarea", { rows: 6, name: `edited-${part.partId}`, id: `${id}-editor` });
    editor.value = original;
    const details = h("details", { class: "decision part-edit" });
    edit = { editor, open: () => { details.open = true; }, originalLength: () => original.length };
    details.append(
      h("summary", {}, `Edit ${part.partId}`),
      h(
        "form",
        { onsubmit: (e) => { e.preventDefault(); if (editor.value.trim()) decide({ decision: "approve_with_edits", editedText: editor.value, partId: part.partId }); else editor.focus(); } },
        field(`Edited text of ${part.partId}`, editor, `Saved as ${part.partId}'s next version; the bundle is approved with it.`),
        h("div", { class: "actions" },
          track(h("button", { type: "submit", class: "primary" }, `Approve with edits to ${part.partId}`)),
          h("button", { type: "button", class: "secondary", onclick: () => { editor.value = original; } }, `Reset ${part.partId}`),
        ),
      ),
    );
    forms.push(details);
  } else if (drawnPreview && replaceForm) {
    // A media part: a file uploaded in its place is its next version, and the bundle is approved with it.
    const status = h("p", { class: "hint", role: "status" });
    const details = h("details", { class: "decision part-replace" });
    details.append(h("summary", {}, `Replace ${part.partId}`), replaceForm({ medium, partId: part.partId, status, ids: { file: `${id}-replacement`, progress: `${id}-progress` } }), status);
    forms.push(details);
  }
  const feedback = h("textarea", { rows: 3, name: `feedback-${part.partId}`, id: `${id}-feedback`, required: true, maxLength: 2000 });
  const left = review.regenerationsLeft > 0 ? `${review.regenerationsLeft} regeneration(s) left` : "No regenerations left";
  const remake = index === 0 ? "The lead is made again and every part after it." : "Only this part is made again; the others are kept.";
  const regenerate = h("details", { class: "decision part-regenerate" },
    h("summary", {}, `Regenerate ${part.partId}`),
    h(
      "form",
      { onsubmit: (e) => { e.preventDefault(); decide({ decision: "regenerate", feedback: feedback.value.trim(), partId: part.partId }); } },
      field(`What should change in ${part.partId}`, feedback, `${remake} ${left}.`),
      trackRegenerate(h("button", { type: "submit" }, `Regenerate ${part.partId}`)),
    ),
  );
  forms.push(regenerate);

  const list = findings.length
    ? h("ol", { class: "violations" }, violationItems(findings, { medium, edit, shown: drawnPreview, announce, suffix: ` in ${part.partId}` }))
    : h("p", { class: "empty" }, part.status === "failed" ? "No findings: the part was not made." : "No findings on this part.");
  card.append(h("h4", {}, `Findings on ${part.partId} (${findings.length})`), list, h("div", { class: "part-actions" }, forms));
  return card;
}
