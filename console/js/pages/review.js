// One review: the asset as it is, its violations where they are, and the four decisions. While the page is
// open it reads the review every heartbeatSeconds (GET /v1/reviews/{id} doubles as the workflow heartbeat).
import { ApiError, uploadWithProgress } from "../api.js";
import { clear, field, formatTime, h, timeLeft, uid } from "../dom.js";
import { applyFix, boxPercent, isBox, isRange, isSpan, locationsOf, rangePercent, replacementOf, textSegments } from "../overlay.js";
import { severityLabel, worstSeverity } from "../severity.js";
import { drawWaveform } from "../waveform.js";

const ACTIONS = {
  approve: "approved",
  approve_with_edits: "approved with edits",
  regenerate: "sent back for regeneration",
  reject: "rejected",
};

export function mediumOf(review) {
  const mime = review.preview?.mimeType || "";
  if (review.contentType === "text" || mime.startsWith("text/")) return "text";
  if (mime.startsWith("image/") || review.contentType === "image") return "image";
  if (mime.startsWith("video/") || review.contentType === "video") return "video";
  return "audio";
}

const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

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

export async function renderReview(ctx, main, reviewId) {
  const path = `/v1/reviews/${encodeURIComponent(reviewId)}`;
  let review = await ctx.api.get(path);
  let originalText = "";
  const violations = review.violations || [];
  const medium = mediumOf(review);

  const facts = h("dl", { class: "facts wide" });
  const outcome = h("div", { class: "notice-slot", role: "alert", id: "decision-outcome" });
  const heading = h("h1", {}, `Review: ${review.contentType}`);
  main.append(heading, facts, outcome);
  if (review.prompt) main.append(h("p", { class: "brief" }, h("strong", {}, "Brief: "), review.prompt));

  function drawFacts() {
    const expires = review.expiresAt || review.deadline;
    const left = review.status === "pending" ? timeLeft(expires) : review.status === "expired" ? "expired" : "—";
    clear(facts).append(
      h("div", {}, h("dt", {}, "Status"), h("dd", { id: "review-status" }, review.status)),
      h("div", {}, h("dt", {}, "Round"), h("dd", {}, String(review.round ?? 0))),
      h("div", {}, h("dt", {}, "Regenerations left"), h("dd", {}, String(review.regenerationsLeft ?? 0))),
      h("div", {}, h("dt", {}, "Time left"), h("dd", { id: "time-left" }, h("time", { datetime: expires }, left))),
      h("div", {}, h("dt", {}, "Asset"), h("dd", {}, h("a", { href: `#/assets/${encodeURIComponent(review.assetId)}/lineage` }, `Lineage of ${review.assetId}`))),
    );
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

  // Preview ------------------------------------------------------------------------------------------
  const preview = h("section", { class: "preview", "aria-labelledby": "preview-h" }, h("h2", { id: "preview-h" }, "The asset"));
  const marksByViolation = new Map();
  const boxesByViolation = new Map();
  let media = null;

  if (medium === "text") {
    try {
      const response = await fetch(review.preview.url);
      originalText = response.ok ? await response.text() : "";
    } catch {
      originalText = "";
    }
    const body = h("div", { class: "text-preview", id: "text-preview" });
    for (const segment of textSegments(originalText, violations)) {
      if (!segment.marks.length) {
        body.append(segment.text);
        continue;
      }
      const worst = worstSeverity(segment.marks.map((i) => violations[i]));
      const label = segment.marks.map((i) => `${i + 1}. ${violations[i].ruleId}`).join("; ");
      const mark = h("mark", { class: `sev-${worst}`, title: label, dataset: { violations: segment.marks.join(" ") } }, segment.text, h("span", { class: "visually-hidden" }, ` (violation ${segment.marks.map((i) => i + 1).join(", ")})`));
      for (const i of segment.marks) {
        if (!marksByViolation.has(i)) marksByViolation.set(i, []);
        marksByViolation.get(i).push(mark);
      }
      body.append(mark);
    }
    preview.append(body);
  } else if (medium === "image") {
    const img = h("img", { src: review.preview.url, alt: `The ${review.contentType} under review`, id: "preview-image" });
    const stage = h("div", { class: "image-stage" }, img);
    const placeBoxes = () => {
      violations.forEach((v, index) => {
        locationsOf(v).filter(isBox).forEach((box) => {
          const el = h("div", { class: `box sev-${v.severity}`, style: boxPercent(box, img.naturalWidth, img.naturalHeight), "aria-hidden": "true", dataset: { violation: String(index) } }, h("span", { class: "box-label" }, String(index + 1)));
          stage.append(el);
          if (!boxesByViolation.has(index)) boxesByViolation.set(index, []);
          boxesByViolation.get(index).push(el);
        });
      });
    };
    if (img.complete && img.naturalWidth) placeBoxes();
    else img.addEventListener("load", placeBoxes, { once: true });
    preview.append(stage);
  } else {
    media = h(medium === "video" ? "video" : "audio", { controls: true, src: review.preview.url, preload: "metadata", id: "preview-media" });
    if (medium === "video") media.setAttribute("aria-label", "The video under review");
    else media.setAttribute("aria-label", "The audio under review");
    const ranges = [];
    violations.forEach((v, index) => locationsOf(v).filter(isRange).forEach((r) => ranges.push({ r, v, index })));
    const timeline = h("div", { class: "timeline", role: "group", "aria-label": "Violations on the timeline" });
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
    preview.append(media, timeline);
    if (medium === "audio") {
      // The waveform sits under the timeline's marks; a file the browser cannot decode keeps the player only.
      const canvas = h("canvas", { class: "waveform", role: "img", "aria-label": "Waveform of the audio" });
      timeline.before(canvas);
      drawWaveform(review.preview.url, canvas).catch(() => canvas.remove());
    }
  }

  // Editor (text) and replacement upload (media) — both serve "approve with edits" ---------------------
  const editor = h("textarea", { rows: 8, name: "editedText", id: "edited-text" });
  editor.value = originalText;

  // Violations -----------------------------------------------------------------------------------------
  const violationList = h("ol", { class: "violations" });
  violations.forEach((v, index) => {
    const buttons = [];
    const fix = replacementOf(v);
    if (medium === "text" && fix) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              const result = applyFix(editor.value, v, originalText.length);
              if (!result) {
                ctx.announce("That text is no longer in the editor; edit it by hand.");
                return;
              }
              editor.value = result.text;
              editDetails.open = true;
              editor.focus();
              editor.setSelectionRange(result.at, result.at + (fix.text || "").length);
              ctx.announce(`Fix ${index + 1} applied in the editor`);
            },
          },
          `Apply fix ${index + 1}`,
        ),
      );
    }
    const span = locationsOf(v).find(isSpan);
    if (medium === "text" && !fix && span) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              editDetails.open = true;
              editor.focus();
              const at = editor.value.slice(span.start, span.end) === span.text ? span.start : editor.value.indexOf(span.text);
              if (at >= 0) editor.setSelectionRange(at, at + span.text.length);
              ctx.announce(`“${span.text}” selected in the editor: type its replacement`);
            },
          },
          `Edit “${span.text}”`,
        ),
      );
    }
    const showable = marksByViolation.has(index) || locationsOf(v).some(isBox);
    if (showable) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              const targets = marksByViolation.get(index) || boxesByViolation.get(index) || [];
              for (const el of document.querySelectorAll(".flash")) el.classList.remove("flash");
              for (const el of targets) el.classList.add("flash");
              targets[0]?.scrollIntoView({ block: "center", behavior: "smooth" });
            },
          },
          `Show ${index + 1}`,
        ),
      );
    }
    const where = locationsOf(v)
      .map((loc) => (isSpan(loc) ? `“${loc.text}”` : isBox(loc) ? `box at ${loc.x},${loc.y} (${loc.width}×${loc.height})` : isRange(loc) ? `${clock(loc.startSeconds)}–${clock(loc.endSeconds)}` : ""))
      .filter(Boolean)
      .join(", ");
    violationList.append(
      h(
        "li",
        { class: `violation sev-${v.severity}` },
        h("p", { class: "violation-head" }, h("span", { class: `badge sev-${v.severity}` }, severityLabel(v.severity)), " ", h("code", {}, v.ruleId), v.count > 1 ? ` ×${v.count}` : ""),
        h("p", {}, v.message),
        where ? h("p", { class: "hint" }, `Where: ${where}`) : null,
        v.suggestion ? h("p", { class: "suggestion" }, h("strong", {}, "Suggestion: "), v.suggestion) : null,
        fix ? h("p", { class: "hint" }, fix.text ? `Fix: “${fix.text}”` : "Fix: remove it") : null,
        buttons.length ? h("div", { class: "actions" }, buttons) : null,
      ),
    );
  });
  const violationSection = h("section", { "aria-labelledby": "violations-h" }, h("h2", { id: "violations-h" }, `Violations (${violations.length})`));
  violationSection.append(violations.length ? violationList : h("p", { class: "empty" }, "No violations were reported."));
  const listed = new Set(violations.map((v) => v.suggestion));
  const more = (review.suggestions || []).filter((s) => !listed.has(s));
  if (more.length) violationSection.append(h("h3", {}, "Other suggestions"), h("ul", {}, more.map((s) => h("li", {}, s))));
  const side = h("div", { class: "review-side" });
  main.append(h("div", { class: "review-layout" }, h("div", { class: "review-main" }, preview, violationSection), side));

  // Decisions ------------------------------------------------------------------------------------------
  const decisionButtons = [];
  const track = (button) => {
    decisionButtons.push(button);
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
      outcome.append(
        h("div", { class: "notice success" }, h("p", {}, `Decision recorded: ${ACTIONS[body.decision]}.`), h("p", {}, h("a", { href: "#/reviews" }, "Back to the queue"), " · ", h("a", { href: `#/assets/${encodeURIComponent(review.assetId)}/lineage` }, "Lineage"))),
      );
      stopHeartbeat();
    } catch (error) {
      await explain(error);
    } finally {
      drawFacts();
      setBusy(false);
    }
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
    const lines = error instanceof ApiError ? error.fieldProblems : [];
    outcome.append(h("div", { class: "notice error" }, h("p", {}, `The decision failed: ${error.message}`), lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : null));
  }

  const comment = h("textarea", { rows: 2, name: "comment", id: "approve-comment" });
  const approveForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "approve", comment: comment.value.trim() || null }); } },
    h("h3", {}, "Approve"),
    field("Comment (optional)", comment),
    track(h("button", { type: "submit", class: "primary" }, "Approve")),
  );

  const editDetails = h("details", { class: "decision" });
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
    const accept = { image: "image/*", video: "video/*", audio: "audio/*" }[medium];
    const file = h("input", { type: "file", accept, name: "replacement", id: "replacement-file" });
    const progress = h("progress", { max: 100, value: 0, id: "upload-progress", "aria-label": "Upload progress" });
    editForm = h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          const chosen = file.files?.[0];
          if (!chosen) {
            editStatus.textContent = "Choose a replacement file first.";
            file.focus();
            return;
          }
          setBusy(true);
          clear(outcome);
          try {
            const ticket = await ctx.api.post(`${path}/uploads`, { mimeType: chosen.type || "application/octet-stream" });
            editStatus.textContent = "Uploading…";
            await uploadWithProgress(ticket, chosen, (done, total) => {
              progress.value = Math.round((done / Math.max(total, 1)) * 100);
            });
            editStatus.textContent = "Uploaded.";
            await decide({ decision: "approve_with_edits", replacementUploadId: ticket.uploadId });
          } catch (error) {
            editStatus.textContent = "";
            await explain(error);
            setBusy(false);
          }
        },
      },
      field("Replacement file", file, `A ${medium} file of the same kind`),
      progress,
      track(h("button", { type: "submit", class: "primary" }, "Upload and approve")),
    );
  }
  editDetails.append(h("summary", {}, "Approve with edits"), editForm, editStatus);

  const feedback = h("textarea", { rows: 3, name: "feedback", id: "regenerate-feedback", required: true, maxLength: 2000 });
  const regenerateForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "regenerate", feedback: feedback.value.trim() }); } },
    h("h3", {}, "Regenerate"),
    field("What should change", feedback, review.regenerationsLeft > 0 ? `${review.regenerationsLeft} regeneration(s) left` : "No regenerations left"),
    track(h("button", { type: "submit" }, "Regenerate with feedback")),
  );
  const reason = h("textarea", { rows: 3, name: "reason", id: "reject-reason", required: true, maxLength: 2000 });
  const rejectForm = h(
    "form",
    { class: "decision", onsubmit: (e) => { e.preventDefault(); decide({ decision: "reject", comment: reason.value.trim() }); } },
    h("h3", {}, "Reject"),
    field("Reason", reason),
    track(h("button", { type: "submit", class: "danger" }, "Reject")),
  );
  side.append(
    h("section", { class: "decisions", "aria-labelledby": "decide-h" }, h("h2", { id: "decide-h" }, "Decide"), approveForm, editDetails, regenerateForm, rejectForm),
    shareSection(ctx, path),
  );
  if (review.regenerationsLeft <= 0) {
    const b = regenerateForm.querySelector("button");
    decisionButtons.splice(decisionButtons.indexOf(b), 1);
    b.disabled = true;
  }
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
