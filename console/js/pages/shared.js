// The outside reviewer's page: no account, a signed link. They give their name, see the asset, decide.
import { ApiError } from "../api.js";
import { clear, field, formatTime, h } from "../dom.js";
import { severityLabel } from "../severity.js";
import { mediumOf } from "./review.js";

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
  const medium = mediumOf(review);
  const url = review.preview?.url || review.assetUrl;
  const preview = h("section", { class: "preview", "aria-labelledby": "shared-preview-h" }, h("h2", { id: "shared-preview-h" }, "The asset"));
  if (medium === "text") {
    const text = h("div", { class: "text-preview", id: "text-preview" });
    if (typeof review.text === "string") {
      text.textContent = review.text;
    } else {
      try {
        const response = await fetch(url);
        text.textContent = await response.text();
      } catch {
        text.textContent = "(the text could not be loaded)";
      }
    }
    preview.append(text);
  } else if (medium === "image") {
    preview.append(h("div", { class: "image-stage" }, h("img", { src: url, alt: `The ${review.contentType} to review` })));
  } else {
    preview.append(h(medium === "video" ? "video" : "audio", { controls: true, src: url, "aria-label": `The ${medium} to review` }));
  }
  if (review.prompt) main.append(h("p", { class: "brief" }, h("strong", {}, "Brief: "), review.prompt));
  const until = review.linkExpiresAt && review.expiresAt && review.linkExpiresAt < review.expiresAt ? review.linkExpiresAt : review.expiresAt || review.deadline;
  if (until) main.append(h("p", { class: "hint" }, `Decide before ${formatTime(until)}.`));
  if (review.stepGroup || review.label) main.append(h("p", { class: "hint" }, `You are asked as: ${review.label || review.stepGroup}.`));
  main.append(preview);
  if ((review.violations || []).length) {
    main.append(
      h("section", { "aria-labelledby": "shared-v-h" }, h("h2", { id: "shared-v-h" }, "What the brand check found"),
        h("ul", { class: "violations" }, review.violations.map((v) => h("li", { class: `violation sev-${v.severity}` }, h("span", { class: `badge sev-${v.severity}` }, severityLabel(v.severity)), " ", v.message, v.suggestion ? h("p", { class: "suggestion" }, v.suggestion) : null)))),
    );
  }

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
