// The outside reviewer's page: no account, a signed link. They give their name, see the asset (a bundle: every
// part, the bundle-wide findings first, each part's next to it) and decide.
import { ApiError } from "../api.js";
import { clear, field, formatTime, h } from "../dom.js";
import { bundleFindings, drawPreview, mediumOf, whereOf } from "../findings.js";
import { severityLabel } from "../severity.js";

export async function renderShared(ctx, main, token) {
  const path = `/v1/shared-reviews/${encodeURIComponent(token)}`;
  main.append(h("h1", {}, "A review shared with you"));
  let review;
  try {
    review = await ctx.api.get(path, undefined, { anonymous: true });
  } catch (error) {
    const gone = error instanceof ApiError && [401, 403, 404, 410].includes(error.status);
    main.append(h("p", { class: "notice error", role: "alert" }, gone ? "This link is not valid: it has expired, was revoked, or was already used." : `Could not open the review: ${error.message}`));
    return null;
  }
  if (review.prompt) main.append(h("p", { class: "brief" }, h("strong", {}, "Brief: "), review.prompt));
  const until = review.linkExpiresAt && review.expiresAt && review.linkExpiresAt < review.expiresAt ? review.linkExpiresAt : review.expiresAt || review.deadline;
  if (until) main.append(h("p", { class: "hint" }, `Decide before ${formatTime(until)}.`));
  if (review.stepGroup || review.label) main.append(h("p", { class: "hint" }, `You are asked as: ${review.label || review.stepGroup}.`));
  if ((review.parts || []).length) main.append(...(await bundleSections(review)));
  else main.append(...(await assetSections(review)));

  const outcome = h("div", { role: "alert", class: "notice-slot", id: "shared-outcome" });
  const name = h("input", { name: "name", required: true, autocomplete: "name", maxLength: 200 });
  const comment = h("textarea", { name: "comment", rows: 3, maxLength: 2000 });
  const buttons = [];
  async function decide(decision) {
    clear(outcome);
    if (!name.value.trim()) {
      outcome.append(h("p", { class: "notice error" }, "Please give your name first."));
      name.focus();
      return;
    }
    if (decision === "reject" && !comment.value.trim()) {
      outcome.append(h("p", { class: "notice error" }, "Please say why you reject it."));
      comment.focus();
      return;
    }
    for (const b of buttons) b.disabled = true;
    try {
      await ctx.api.post(`${path}/decision`, { name: name.value.trim(), decision, comment: comment.value.trim() || null }, { anonymous: true });
      outcome.append(h("p", { class: "notice success" }, `Thank you, ${name.value.trim()}: your decision (${decision === "approve" ? "approved" : "rejected"}) is recorded.`));
    } catch (error) {
      const text = error instanceof ApiError && error.status === 409 ? `Your decision was not recorded: this review was already decided or has expired. ${error.message}` : `Your decision was not recorded: ${error.message}`;
      outcome.append(h("p", { class: "notice error" }, text));
      for (const b of buttons) b.disabled = false;
    }
  }
  const approve = h("button", { type: "button", class: "primary", onclick: () => decide("approve") }, "Approve");
  const reject = h("button", { type: "button", class: "danger", onclick: () => decide("reject") }, "Reject");
  buttons.push(approve, reject);
  if (review.decision || (review.status && review.status !== "pending")) {
    main.append(h("p", { class: "notice", role: "status", id: "shared-outcome" }, `This review was already decided (${review.decision || review.status})${review.decidedAt ? ` at ${formatTime(review.decidedAt)}` : ""}.`));
    return null;
  }
  main.append(
    h("section", { class: "decisions card", "aria-labelledby": "shared-decide-h" }, h("h2", { id: "shared-decide-h" }, "Your decision"),
      field("Your name", name, "Recorded with your decision"),
      field("Comment (needed to reject)", comment),
      h("div", { class: "actions" }, approve, reject),
      outcome),
  );
  return null;
}

function findingList(violations) {
  return h("ul", { class: "violations" }, violations.map((v) => {
    const where = whereOf(v);
    return h("li", { class: `violation sev-${v.severity}` }, h("span", { class: `badge sev-${v.severity}` }, severityLabel(v.severity)), " ", v.message, where ? h("p", { class: "hint" }, `Where: ${where}`) : null, v.suggestion ? h("p", { class: "suggestion" }, v.suggestion) : null);
  }));
}

/** One asset: its file, then what the brand check found. */
async function assetSections(review) {
  const medium = mediumOf(review);
  const drawn = await drawPreview({
    medium,
    url: review.preview?.url || review.assetUrl,
    label: `The ${medium === "image" ? review.contentType : medium} to review`,
    violations: [],
    text: typeof review.text === "string" ? review.text : undefined,
    ids: { text: "text-preview" },
  });
  const sections = [h("section", { class: "preview", "aria-labelledby": "shared-preview-h" }, h("h2", { id: "shared-preview-h" }, "The asset"), drawn.nodes)];
  if ((review.violations || []).length) {
    sections.push(h("section", { "aria-labelledby": "shared-v-h" }, h("h2", { id: "shared-v-h" }, "What the brand check found"), findingList(review.violations)));
  }
  return sections;
}

/** A bundle: what the check found across the parts, then every part with its own findings. */
async function bundleSections(review) {
  const { bundleWide, byPart } = bundleFindings(review);
  const wide = h("section", { "aria-labelledby": "shared-bundle-h", id: "shared-bundle-findings" }, h("h2", { id: "shared-bundle-h" }, `Across the bundle (${bundleWide.length} finding${bundleWide.length === 1 ? "" : "s"})`));
  wide.append(bundleWide.length ? findingList(bundleWide) : h("p", { class: "empty" }, "Nothing: the parts agree with each other."));
  const cards = await Promise.all(
    review.parts.map(async (part, index) => {
      const id = `shared-part-${part.partId}`;
      const medium = mediumOf(part);
      const findings = byPart.get(part.partId) || [];
      const card = h("li", { class: "part card", id, dataset: { part: part.partId } }, h("h3", {}, `Part ${index + 1}: ${part.partId} (${medium}${index === 0 ? ", the lead" : ""}${part.required === false ? ", optional" : ""})`));
      if (part.status === "failed" || !part.preview) {
        card.append(h("p", { class: "notice error" }, "This part could not be made."));
      } else {
        const drawn = await drawPreview({
          medium,
          url: part.preview.url,
          label: `${part.partId}: the ${medium} to review`,
          violations: [],
          text: typeof part.text === "string" ? part.text : undefined,
          ids: { text: `${id}-text` },
        });
        card.append(h("div", { class: "preview" }, drawn.nodes));
      }
      card.append(findings.length ? findingList(findings) : h("p", { class: "empty" }, "The brand check found nothing on this part."));
      return card;
    }),
  );
  const parts = h("section", { "aria-labelledby": "shared-parts-h" }, h("h2", { id: "shared-parts-h" }, `The parts (${review.parts.length})`), h("ol", { class: "parts" }, cards));
  return [wide, parts];
}
