// One review: the asset as it is, its violations where they are, and the four decisions; a bundle's review shows
// every part (pages/bundle_review.js). While the page is open it reads the review every heartbeatSeconds
// (GET /v1/reviews/{id} doubles as the workflow heartbeat).
import { ApiError, uploadWithProgress } from "../api.js";
import { append, clear, field, formatTime, h, timeLeft, uid } from "../dom.js";
import { drawPreview, mediumOf, violationItems } from "../findings.js";
import { bundleColumn } from "./bundle_review.js";

export { mediumOf };

const ACTIONS = {
  approve: "approved",
  approve_with_edits: "approved with edits",
  regenerate: "sent back for regeneration",
  reject: "rejected",
};

/** What happened to a review that can no longer be decided, in words. */
export function whatHappened(review) {
  if (review.status === "decided" || review.status === "deciding") {
    const who = review.reviewer ? ` by ${review.reviewer}` : "";
    const when = review.decidedAt ? ` at ${formatTime(review.decidedAt)}` : "";
    return `It was already ${ACTIONS[review.decision] || review.decision || "decided"}${who}${when}.`;
  }
  if (review.status === "expired") return `It expired at ${formatTime(review.expiresAt || review.deadline)} before anyone decided it.`;
  if (review.status === "cancelled") return "Its request was cancelled.";
  return `It is now ${review.status}.`;
}

/** The lines of an API problem: its field problems, for a list under the message. */
export function problemLines(error) {
  return error instanceof ApiError ? error.fieldProblems : [];
}

export async function renderReview(ctx, main, reviewId) {
  const path = `/v1/reviews/${encodeURIComponent(reviewId)}`;
  let review = await ctx.api.get(path);
  const parts = review.parts || [];
  const isBundle = parts.length > 0;

  const facts = h("dl", { class: "facts wide" });
  const outcome = h("div", { class: "notice-slot", role: "alert", id: "decision-outcome" });
  const heading = h("h1", {}, isBundle ? `Review: a bundle of ${parts.length} parts` : `Review: ${review.contentType}`);
  main.append(heading, facts, outcome);
  if (review.prompt) main.append(h("p", { class: "brief" }, h("strong", {}, "Brief: "), review.prompt));

  function drawFacts() {
    const expires = review.expiresAt || review.deadline;
    const left = review.status === "pending" ? timeLeft(expires) : review.status === "expired" ? "expired" : "—";
    append(clear(facts), [
      h("div", {}, h("dt", {}, "Status"), h("dd", { id: "review-status" }, review.status)),
      h("div", {}, h("dt", {}, "Round"), h("dd", {}, String(review.round ?? 0))),
      h("div", {}, h("dt", {}, "Regenerations left"), h("dd", {}, String(review.regenerationsLeft ?? 0))),
      h("div", {}, h("dt", {}, "Time left"), h("dd", { id: "time-left" }, h("time", { datetime: expires }, left))),
      isBundle ? h("div", {}, h("dt", {}, "Parts"), h("dd", {}, parts.map((p) => p.partId).join(", "))) : null,
      h("div", {}, h("dt", {}, isBundle ? "Lead part" : "Asset"), h("dd", {}, h("a", { href: `#/assets/${encodeURIComponent(review.assetId)}/lineage` }, `Lineage of ${review.assetId}`))),
    ]);
    if (review.nextApproval || (review.approvals || []).length) {
      // An approval policy: the kit's steps in order (e.g. brand, then legal), counted from 0 by the API.
      const done = (review.approvals || []).map((a) => `${a.group} by ${a.by}${a.linkId ? " (shared link)" : ""}`);
      const next = review.nextApproval;
      facts.append(
        h("div", {}, h("dt", {}, "Approvals"), h("dd", { id: "approvals" }, done.length ? done.join(", ") : "none yet")),
        h("div", {}, h("dt", {}, "Next approval"), h("dd", { id: "next-approval" }, next ? `step ${next.step + 1}: ${next.label || next.group}` : "none")),
      );
    }
  }
  drawFacts();

  // Decisions ------------------------------------------------------------------------------------------
  const decisionButtons = [];
  const track = (button) => {
    decisionButtons.push(button);
    return button;
  };
  /** A regenerate button: disabled for good when no regenerations are left. */
  const trackRegenerate = (button) => {
    if (review.regenerationsLeft > 0) return track(button);
    button.disabled = true;
    return button;
  };
  let myStepDone = false; // this person approved a step: the next one is someone else's
  const setBusy = (busy) => {
    for (const b of decisionButtons) b.disabled = busy || myStepDone || review.status !== "pending";
  };

  async function decide(body) {
    setBusy(true);
    clear(outcome);
    try {
      const before = (review.approvals || []).length;
      review = await ctx.api.post(`${path}/decision`, body);
      if (body.decision === "approve" && review.status === "pending" && (review.approvals || []).length > before) {
        // One step of an approval policy: the review waits for the next group.
        const next = review.nextApproval;
        myStepDone = true;
        outcome.append(h("div", { class: "notice success" }, h("p", {}, `Your approval is recorded (step ${before + 1}).`), next ? h("p", {}, `Next: ${next.label || next.group} (step ${next.step + 1}).`) : null, h("p", {}, h("a", { href: "#/reviews" }, "Back to the queue"))));
        return;
      }
      const which = body.partId ? ` (part ${body.partId})` : isBundle ? " (the whole bundle)" : "";
      outcome.append(
        h("div", { class: "notice success" }, h("p", {}, `Decision recorded: ${ACTIONS[body.decision]}${which}.`), h("p", {}, h("a", { href: "#/reviews" }, "Back to the queue"), " · ", h("a", { href: `#/assets/${encodeURIComponent(review.assetId)}/lineage` }, "Lineage"))),
      );
      stopHeartbeat();
    } catch (error) {
      await explain(error);
    } finally {
      drawFacts();
      setBusy(false);
    }
    outcome.scrollIntoView?.({ block: "nearest" });
  }

  async function explain(error) {
    if (error instanceof ApiError && error.status === 409) {
      try {
        review = await ctx.api.get(path);
      } catch {
        /* keep what we had */
      }
      outcome.append(
        h("div", { class: "notice error conflict" }, h("p", {}, h("strong", {}, "Your decision was not recorded: this review can no longer be decided.")), h("p", {}, whatHappened(review)), error.message ? h("p", { class: "hint" }, `The API said: ${error.message}`) : null, h("p", {}, h("a", { href: "#/reviews" }, "Back to the queue"))),
      );
      stopHeartbeat();
      return;
    }
    const lines = problemLines(error);
    outcome.append(h("div", { class: "notice error" }, h("p", {}, `The decision failed: ${error.message}`), lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : null));
  }

  const controls = { decide, explain, track, trackRegenerate, setBusy, announce: ctx.announce, clearOutcome: () => clear(outcome) };
  controls.replaceForm = (options) => replacementForm(ctx, path, controls, options);
  const { column, forms } = isBundle ? await bundleColumn(review, controls) : await singleColumn(ctx, review, path, controls);

  const comment = h("textarea", { rows: 2, name: "comment", id: "approve-comment" });
  const approveForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "approve", comment: comment.value.trim() || null }); } },
    h("h3", {}, isBundle ? "Approve the whole bundle" : "Approve"),
    field("Comment (optional)", comment),
    track(h("button", { type: "submit", class: "primary" }, "Approve")),
  );
  const reason = h("textarea", { rows: 3, name: "reason", id: "reject-reason", required: true, maxLength: 2000 });
  const rejectForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "reject", comment: reason.value.trim() }); } },
    h("h3", {}, isBundle ? "Reject the whole bundle" : "Reject"),
    field("Reason", reason),
    track(h("button", { type: "submit", class: "danger" }, "Reject")),
  );
  const side = h("div", { class: "review-side" });
  const hint = isBundle ? h("p", { class: "hint" }, "Approve or reject every part at once here; edit a text part or regenerate one part where it is shown.") : null;
  side.append(
    h("section", { class: "decisions", "aria-labelledby": "decide-h" }, h("h2", { id: "decide-h" }, "Decide"), hint, approveForm, ...forms, rejectForm),
    shareSection(ctx, path),
  );
  main.append(h("div", { class: "review-layout" }, h("div", { class: "review-main" }, column), side));
  if (review.status !== "pending") {
    outcome.append(h("p", { class: "notice" }, `This review is ${review.status}. ${whatHappened(review)}`));
  }
  setBusy(false);

  // Heartbeat ------------------------------------------------------------------------------------------
  let timer = null;
  function stopHeartbeat() {
    if (timer) clearInterval(timer);
    timer = null;
  }
  if (review.status === "pending") {
    timer = setInterval(async () => {
      try {
        const fresh = await ctx.api.get(path);
        const changed = fresh.status !== review.status;
        review = fresh;
        drawFacts();
        if (changed && review.status !== "pending") {
          stopHeartbeat();
          setBusy(false);
          clear(outcome).append(h("div", { class: "notice error" }, h("p", {}, `This review can no longer be decided. ${whatHappened(review)}`)));
        }
      } catch {
        /* a missed heartbeat is retried at the next tick */
      }
    }, ctx.config.heartbeatSeconds * 1000);
  }
  return stopHeartbeat;
}

/**
 * "Upload and approve": a media file in place of the asset (or of a bundle's part, with partId), through
 * POST {path}/uploads' presigned PUT with its progress shown, then approve_with_edits naming the upload.
 */
export function replacementForm(ctx, path, { decide, explain, track, setBusy, clearOutcome }, { medium, partId, status, ids }) {
  const accept = { image: "image/*", video: "video/*", audio: "audio/*" }[medium];
  const file = h("input", { type: "file", accept, name: partId ? `replacement-${partId}` : "replacement", id: ids.file });
  const progress = h("progress", { max: 100, value: 0, id: ids.progress, "aria-label": partId ? `Upload progress of ${partId}` : "Upload progress" });
  const which = partId ? { partId } : {};
  const kind = `${/^[aeiou]/.test(medium) ? "An" : "A"} ${medium} file`;
  return h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) {
          status.textContent = "Choose a replacement file first.";
          file.focus();
          return;
        }
        setBusy(true);
        clearOutcome();
        try {
          const ticket = await ctx.api.post(`${path}/uploads`, { mimeType: chosen.type || "application/octet-stream", ...which });
          status.textContent = "Uploading…";
          await uploadWithProgress(ticket, chosen, (done, total) => {
            progress.value = Math.round((done / Math.max(total, 1)) * 100);
          });
          status.textContent = "Uploaded.";
          await decide({ decision: "approve_with_edits", replacementUploadId: ticket.uploadId, ...which });
        } catch (error) {
          status.textContent = "";
          await explain(error);
          setBusy(false);
        }
      },
    },
    field(partId ? `Replacement file for ${partId}` : "Replacement file", file, partId ? `${kind}; saved as ${partId}'s next version and the bundle approved with it.` : `${kind} of the same kind`),
    progress,
    track(h("button", { type: "submit", class: "primary" }, partId ? `Upload and approve ${partId}` : "Upload and approve")),
  );
}

/** One asset: its preview, its violations, and the edit and regenerate forms for the side. */
async function singleColumn(ctx, review, path, { decide, explain, track, trackRegenerate, setBusy, announce, clearOutcome }) {
  const violations = review.violations || [];
  const medium = mediumOf(review);
  const drawn = await drawPreview({
    medium,
    url: review.preview.url,
    label: medium === "image" ? `The ${review.contentType} under review` : `The ${medium} under review`,
    violations,
    ids: { text: "text-preview", image: "preview-image", media: "preview-media" },
  });
  const originalText = drawn.text;
  const preview = h("section", { class: "preview", "aria-labelledby": "preview-h" }, h("h2", { id: "preview-h" }, "The asset"), drawn.nodes);

  // Editor (text) and replacement upload (media) — both serve "approve with edits"
  const editor = h("textarea", { rows: 8, name: "editedText", id: "edited-text" });
  editor.value = originalText;
  const editDetails = h("details", { class: "decision" });
  const edit = { editor, open: () => { editDetails.open = true; }, originalLength: () => originalText.length };

  const violationSection = h("section", { "aria-labelledby": "violations-h" }, h("h2", { id: "violations-h" }, `Violations (${violations.length})`));
  violationSection.append(violations.length ? h("ol", { class: "violations" }, violationItems(violations, { medium, edit, shown: drawn, announce })) : h("p", { class: "empty" }, "No violations were reported."));
  const listed = new Set(violations.map((v) => v.suggestion));
  const more = (review.suggestions || []).filter((s) => !listed.has(s));
  if (more.length) violationSection.append(h("h3", {}, "Other suggestions"), h("ul", {}, more.map((s) => h("li", {}, s))));

  const editStatus = h("p", { class: "hint", role: "status" });
  let editForm;
  if (medium === "text") {
    editForm = h(
      "form",
      { onsubmit: (e) => { e.preventDefault(); decide({ decision: "approve_with_edits", editedText: editor.value }); } },
      field("Edited text", editor, "Apply a fix above or edit by hand; what is here is saved as the approved text."),
      h("div", { class: "actions" },
        track(h("button", { type: "submit", class: "primary" }, "Approve with edits")),
        h("button", { type: "button", class: "secondary", onclick: () => { editor.value = originalText; } }, "Reset the text"),
      ),
    );
  } else {
    editForm = replacementForm(ctx, path, { decide, explain, track, setBusy, clearOutcome }, { medium, status: editStatus, ids: { file: "replacement-file", progress: "upload-progress" } });
  }
  editDetails.append(h("summary", {}, "Approve with edits"), editForm, editStatus);

  const feedback = h("textarea", { rows: 3, name: "feedback", id: "regenerate-feedback", required: true, maxLength: 2000 });
  const regenerateForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "regenerate", feedback: feedback.value.trim() }); } },
    h("h3", {}, "Regenerate"),
    field("What should change", feedback, review.regenerationsLeft > 0 ? `${review.regenerationsLeft} regeneration(s) left` : "No regenerations left"),
    trackRegenerate(h("button", { type: "submit" }, "Regenerate with feedback")),
  );
  return { column: [preview, violationSection], forms: [editDetails, regenerateForm] };
}

/** A signed, expiring, revocable link for someone without an account (POST /v1/reviews/{id}/links). */
function shareSection(ctx, path) {
  const result = h("div", { role: "status", class: "notice-slot" });
  const hours = h("select", { name: "expiresInHours" }, [24, 72, 168].map((n) => h("option", { value: String(n) }, `${n / 24} day${n > 24 ? "s" : ""}`)));
  const label = h("input", { name: "label", maxLength: 200, placeholder: "e.g. Legal, Acme Ltd" });
  const form = h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        clear(result);
        try {
          const link = await ctx.api.post(`${path}/links`, { expiresInHours: Number(hours.value), label: label.value.trim() || null });
          const url = link.url || new URL(`#/shared/${encodeURIComponent(link.token)}`, location.href).toString();
          const box = h("input", { readOnly: true, value: url, id: uid("share"), class: "share-url" });
          result.append(h("div", { class: "notice success" }, field("Link for the outside reviewer", box, `Expires ${formatTime(link.expiresAt)}; link id ${link.linkId}. It is shown once: copy it now.`)));
          box.select();
        } catch (error) {
          const text = error instanceof ApiError && error.status === 404 && !error.code ? "This server does not offer outside-reviewer links yet." : `Could not create a link: ${error.message}`;
          result.append(h("p", { class: "notice error" }, text));
        }
      },
    },
    h("p", { class: "hint" }, "A signed link that lets one person without an account decide this review; it expires and can be revoked."),
    h("div", { class: "grid-2" }, field("Valid for", hours), field("Who it is for (optional)", label)),
    h("button", { type: "submit", class: "secondary" }, "Create link"),
  );
  return h("section", { class: "share", "aria-labelledby": "share-h" }, h("h2", { id: "share-h" }, "Share with an outside reviewer"), form, result);
}
