// A new request: one asset, a bundle (post, reel, carousel) or the organisation's own photo in the brand's look
// (the photo uploaded first through POST /v1/uploads' presigned form); then its status read every second until
// it settles (a bundle's parts too), then the download.
import { ApiError, uploadFormWithProgress } from "../api.js";
import { clear, field, h } from "../dom.js";

const PLATFORMS = ["linkedin", "instagram", "x", "facebook", "bluesky", "mastodon"];
const SETTLED = new Set(["succeeded", "failed", "rejected", "cancelled", "review_expired"]);
const STATUS_TEXT = {
  accepted: "Accepted",
  validating: "Checking the request",
  routing: "Choosing a model",
  generating: "Generating",
  linting: "Checking against the brand kit",
  saving: "Saving",
  queued: "Queued for a batch run",
  needs_review: "Waiting for a reviewer",
  regenerating: "Regenerating with the reviewer's feedback",
  translating: "Translating",
  succeeded: "Done",
  failed: "Failed",
  rejected: "Rejected by a reviewer",
  cancelled: "Cancelled",
  review_expired: "The review expired",
};
const PART_STATUS_TEXT = {
  planned: "Planned",
  generated: "Made, waiting for the bundle",
  failed: "Failed",
  saved: "Saved",
  rejected: "Rejected",
};
export const BUNDLE_KINDS = {
  post: "Post: a caption and an image",
  reel: "Reel: a script, a video and music",
  carousel: "Carousel: a caption and several images",
};
export const SOURCE_TYPES = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP" };
export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
const megabytes = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

/** Why a chosen file cannot be a brand-style source (null when it can): no file, another type, too large. */
export function sourceProblem(file, maxBytes = MAX_SOURCE_BYTES) {
  if (!file) return "Choose the photo to restyle first.";
  if (!SOURCE_TYPES[file.type]) {
    return `“${file.name}” is ${file.type ? `a ${file.type} file` : "of a type the browser cannot tell"}: choose a PNG, JPEG or WebP image.`;
  }
  if (file.size > maxBytes) return `“${file.name}” is ${megabytes(file.size)} MB: the largest photo is ${megabytes(maxBytes).replace(/\.0$/, "")} MB.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

export function submissionFrom(values) {
  const make = values.make || "single";
  const body = {
    contentType: values.contentType,
    tier: values.tier,
    prompt: values.brief.trim(),
    brandKitId: values.brandKitId.trim(),
    sponsored: Boolean(values.sponsored),
  };
  // One request is linted against one platform's rules; posting it to several is the calendar's job.
  if (values.channel) body.channel = values.channel;
  if (make === "bundle") {
    // A bundle's request is its lead text part: the API derives the content type. Locales and campaigns are
    // refused on a bundle (ask them of the saved parts), so the form does not send them.
    delete body.contentType;
    body.bundle = { kind: values.bundleKind };
    if (values.bundleKind === "carousel") body.bundle.imageCount = Number(values.imageCount);
    return body;
  }
  if (make === "brand_style") {
    body.contentType = "image";
    body.operation = "brand_style";
    body.style = { sourceUploadId: values.sourceUploadId, placeLogo: Boolean(values.placeLogo) };
    if ((values.headline || "").trim()) body.style.headline = values.headline.trim();
  }
  const locales = (values.locales || "").split(/[\s,]+/).map((l) => l.trim()).filter(Boolean);
  if (locales.length) body.locales = locales;
  if ((values.campaignId || "").trim()) body.campaignId = values.campaignId.trim();
  return body;
}

function radio(name, value, label, checked = false) {
  const input = h("input", { type: "radio", name, value, id: `${name}-${value}`, checked });
  return { input, row: h("div", { class: "radio-row" }, input, h("label", { for: input.id }, label)) };
}

export async function renderNewRequest(ctx, main) {
  const makeChoices = [
    radio("make", "single", "One asset (text, image, video or music)", true),
    radio("make", "bundle", "A bundle: a post, a reel or a carousel made and reviewed together"),
    radio("make", "brand_style", "Our own photo in the brand's look (brand style)"),
  ];
  const made = () => makeChoices.find((c) => c.input.checked)?.input.value || "single";
  const contentType = h("select", { name: "contentType" }, ["text", "image", "video", "music"].map((t) => h("option", { value: t }, t)));
  const tier = h("select", { name: "tier" }, ["basic", "standard", "premium"].map((t) => h("option", { value: t }, t)));
  tier.value = "standard";
  const brief = h("textarea", { name: "brief", rows: 4, required: true, maxLength: 4000 });
  const kit = h("input", { name: "brandKitId", value: "aurora-core", required: true, pattern: "[A-Za-z0-9._\\-]{1,64}" });
  const locales = h("input", { name: "locales", placeholder: "fr-FR, de-DE" });
  const campaign = h("input", { name: "campaignId" });
  const sponsored = h("input", { type: "checkbox", name: "sponsored", id: "sponsored" });
  const channel = h("select", { name: "channel" }, [h("option", { value: "" }, "any (no platform rules)"), ...PLATFORMS.map((p) => h("option", { value: p }, p))]);

  const bundleKind = h("select", { name: "bundleKind" }, Object.entries(BUNDLE_KINDS).map(([v, t]) => h("option", { value: v }, t)));
  const imageCount = h("input", { type: "number", name: "imageCount", min: 2, max: 10, step: 1, value: "3", inputMode: "numeric" });
  const imageCountField = field("Images in the carousel", imageCount, "2 to 10 slides; each takes the next sentence of the caption");
  const sourceFile = h("input", { type: "file", name: "sourceFile", accept: Object.keys(SOURCE_TYPES).join(",") });
  const headline = h("input", { name: "headline", maxLength: 120 });
  const placeLogo = h("input", { type: "checkbox", name: "placeLogo", id: "place-logo", checked: true });
  const progress = h("progress", { max: 100, value: 0, id: "source-progress", "aria-label": "Upload progress of the photo", hidden: true });
  const uploadStatus = h("p", { class: "hint file-chosen", id: "source-status", role: "status" });

  const singleGroup = h("div", { class: "make-single" }, field("Content type", contentType));
  const bundleGroup = h("div", { class: "make-bundle", hidden: true }, field("Kind of bundle", bundleKind, "The caption or script is written first; the image, video and music are made from it and checked with it"), imageCountField);
  const styleGroup = h(
    "div",
    { class: "make-brand-style", hidden: true },
    field("Your photo", sourceFile, "PNG, JPEG or WebP, at most 20 MB. Its colours move toward the brand's palette."),
    progress,
    uploadStatus,
    field("Headline on the photo (optional)", headline, "Set in the brand's heading font; at most 120 characters"),
    h("div", { class: "check-row" }, placeLogo, h("label", { for: "place-logo" }, "Place the brand's logo where the kit allows it")),
  );
  const perAsset = h("div", { class: "grid-2" }, field("Locales", locales, "Translations, comma-separated"), field("Campaign", campaign, "Campaign id (optional)"));
  const bundleNote = h("p", { class: "hint", hidden: true }, "Translations and campaigns are asked of a bundle's saved parts, not of the bundle.");

  const showChoice = () => {
    const kind = made();
    singleGroup.hidden = kind !== "single";
    bundleGroup.hidden = kind !== "bundle";
    styleGroup.hidden = kind !== "brand_style";
    perAsset.hidden = kind === "bundle";
    bundleNote.hidden = kind !== "bundle";
    imageCountField.hidden = bundleKind.value !== "carousel";
    imageCount.disabled = bundleKind.value !== "carousel" || kind !== "bundle";
  };
  for (const choice of makeChoices) choice.input.addEventListener("change", showChoice);
  bundleKind.addEventListener("change", showChoice);
  sourceFile.addEventListener("change", () => {
    const problem = sourceProblem(sourceFile.files?.[0]);
    progress.hidden = true;
    uploadStatus.textContent = problem || `Chosen: ${sourceFile.files[0].name} (${megabytes(sourceFile.files[0].size)} MB)`;
    sourceFile.setAttribute("aria-invalid", problem ? "true" : "false");
  });

  const status = h("section", { class: "request-status", "aria-live": "polite", id: "request-status" });
  const problems = h("div", { role: "alert", class: "notice-slot", id: "request-problems" });
  const submit = h("button", { type: "submit", class: "primary" }, "Submit request");

  function refuse(message, lines = [], focus = null) {
    problems.append(h("div", { class: "notice error" }, h("p", {}, message), lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : null));
    focus?.focus();
  }

  /** The photo through POST /v1/uploads' presigned form; its uploadId, or null after saying what went wrong. */
  async function uploadSource() {
    const file = sourceFile.files?.[0];
    const problem = sourceProblem(file);
    if (problem) {
      refuse(problem, [], sourceFile);
      return null;
    }
    let ticket;
    try {
      ticket = await ctx.api.post("/v1/uploads", { mimeType: file.type });
    } catch (error) {
      refuse(`The photo could not be uploaded: ${error.message}`, error instanceof ApiError ? error.fieldProblems : [], sourceFile);
      return null;
    }
    const again = sourceProblem(file, ticket.maxBytes || MAX_SOURCE_BYTES);
    if (again) {
      refuse(again, [], sourceFile);
      return null;
    }
    progress.hidden = false;
    progress.value = 0;
    uploadStatus.textContent = `Uploading ${file.name}…`;
    try {
      await uploadFormWithProgress(ticket, file, (done, total) => {
        progress.value = Math.round((done / Math.max(total, 1)) * 100);
      });
    } catch (error) {
      uploadStatus.textContent = "";
      refuse(`The photo could not be uploaded: ${error.message}`, [], sourceFile);
      return null;
    }
    uploadStatus.textContent = `Uploaded ${file.name}.`;
    return ticket.uploadId;
  }

  const form = h(
    "form",
    {
      class: "card request-form",
      onsubmit: async (event) => {
        event.preventDefault();
        clear(problems);
        const make = made();
        submit.disabled = true;
        try {
          let sourceUploadId = null;
          if (make === "brand_style") {
            sourceUploadId = await uploadSource();
            if (!sourceUploadId) return;
          }
          const body = submissionFrom({
            make,
            contentType: contentType.value,
            tier: tier.value,
            brief: brief.value,
            brandKitId: kit.value,
            sponsored: sponsored.checked,
            channel: channel.value,
            locales: locales.value,
            campaignId: campaign.value,
            bundleKind: bundleKind.value,
            imageCount: imageCount.value,
            sourceUploadId,
            headline: headline.value,
            placeLogo: placeLogo.checked,
          });
          try {
            const accepted = await ctx.api.post("/v1/assets", body);
            ctx.announce("Request accepted");
            follow(accepted.requestId);
          } catch (error) {
            refuse(`The request was refused: ${error.message}`, error instanceof ApiError ? error.fieldProblems : []);
          }
        } finally {
          if (!following) submit.disabled = false;
        }
      },
    },
    h("fieldset", { class: "choice" }, h("legend", {}, "What to make"), makeChoices.map((c) => c.row)),
    singleGroup,
    bundleGroup,
    styleGroup,
    field("Tier", tier),
    field("Brief", brief, "What to make, for whom, in what voice"),
    field("Platform", channel, "The platform whose rules (length, format, disclosures) the result must meet; schedule posts to several from the calendar"),
    perAsset,
    bundleNote,
    field("Brand kit", kit),
    h("div", { class: "check-row" }, sponsored, h("label", { for: "sponsored" }, "Sponsored (needs a disclosure such as #ad)")),
    problems,
    h("div", { class: "actions" }, submit),
  );
  main.append(h("h1", {}, "New request"), form, status);
  showChoice();

  let timer = null;
  let stopped = false;
  let following = false;
  function follow(requestId) {
    const path = `/v1/requests/${encodeURIComponent(requestId)}`;
    let last = null;
    let lastShown = null;
    following = true;
    submit.disabled = true;
    const tick = async () => {
      if (stopped) return;
      try {
        const record = await ctx.api.get(path);
        // A bundle's parts move while the request's status stays the same: redraw on either.
        const shown = JSON.stringify([record.status, record.bundle || null]);
        if (shown !== lastShown) {
          lastShown = shown;
          draw(record);
        }
        if (record.status !== last) {
          last = record.status;
          ctx.announce(STATUS_TEXT[record.status] || record.status);
        }
        if (SETTLED.has(record.status)) {
          following = false;
          submit.disabled = false;
          return;
        }
      } catch (error) {
        clear(status).append(h("p", { class: "notice error" }, `Could not read the request: ${error.message}`));
      }
      timer = setTimeout(tick, 1000);
    };
    tick();
  }

  function draw(record) {
    clear(status).append(
      h("h2", {}, "Status"),
      h("p", { class: `status-line status-${record.status}`, id: "request-status-text" }, STATUS_TEXT[record.status] || record.status),
      h("p", { class: "hint" }, `Request ${record.requestId}`),
    );
    if (record.bundle) status.append(bundleStatus(record.bundle));
    if (record.status === "needs_review" && record.review) {
      status.append(h("p", {}, h("a", { href: `#/reviews/${encodeURIComponent(record.review.reviewId)}`, class: "button-link" }, "Open the review")));
    }
    if (record.status === "succeeded" && record.asset) {
      const assetId = record.asset.assetId;
      const links = h("div", { class: "actions" }, h("a", { href: `#/assets/${encodeURIComponent(assetId)}/lineage` }, record.bundle ? "See the lead part's lineage" : "See its lineage"));
      status.append(links);
      // The asset's record carries a short-lived presigned download of its current version.
      ctx.api.get(`/v1/assets/${encodeURIComponent(assetId)}`).then(
        (asset) => {
          const current = (asset.versions || []).find((v) => v.version === asset.currentVersion);
          if (current?.download) links.prepend(h("a", { href: current.download.url, download: "", class: "button-link", id: "download-link" }, record.bundle ? "Download the lead part" : "Download the result"));
        },
        (error) => status.append(h("p", { class: "notice error" }, `No download: ${error.message}`)),
      );
    }
    if (record.error) status.append(h("p", { class: "notice error" }, `${record.error.type}: ${record.error.message}`));
  }

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** A bundle's parts as the request shows them: each part's status, lint verdict and saved asset. */
export function bundleStatus(bundle) {
  const findings = (bundle.violations || []).length;
  const verdict = bundle.lintPassed === true ? "The parts pass the bundle check together." : bundle.lintPassed === false ? `The bundle check found ${findings} problem${findings === 1 ? "" : "s"} across the parts.` : null;
  return h(
    "div",
    { class: "bundle-status" },
    h("h3", {}, `The ${bundle.kind}'s parts (${(bundle.parts || []).length})`),
    verdict ? h("p", { class: "hint", id: "bundle-verdict" }, verdict) : null,
    h(
      "ul",
      { class: "part-status-list", id: "bundle-parts" },
      (bundle.parts || []).map((part) =>
        h(
          "li",
          { class: "part-status", dataset: { part: part.partId } },
          h("p", { class: "part-name" }, `${part.partId} (${part.contentType}${part.required === false ? ", optional" : ""})`),
          h("p", {}, h("span", { class: `part-state part-state-${part.status}` }, PART_STATUS_TEXT[part.status] || part.status), part.lintPassed === true ? " · passes the brand check" : part.lintPassed === false ? " · has brand-check findings" : ""),
          part.asset ? h("p", {}, h("a", { href: `#/assets/${encodeURIComponent(part.asset.assetId)}/lineage` }, `Lineage of ${part.partId}`)) : null,
          part.error ? h("p", { class: "hint" }, part.error) : null,
        ),
      ),
    ),
  );
}
