// A new request: the form, then its status read every second until it settles, then the download.
import { ApiError } from "../api.js";
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

export function submissionFrom(values) {
  const body = {
    contentType: values.contentType,
    tier: values.tier,
    prompt: values.brief.trim(),
    brandKitId: values.brandKitId.trim(),
    sponsored: Boolean(values.sponsored),
  };
  // One request is linted against one platform's rules; posting it to several is the calendar's job.
  if (values.channel) body.channel = values.channel;
  const locales = values.locales.split(/[\s,]+/).map((l) => l.trim()).filter(Boolean);
  if (locales.length) body.locales = locales;
  if (values.campaignId.trim()) body.campaignId = values.campaignId.trim();
  return body;
}

export async function renderNewRequest(ctx, main) {
  const contentType = h("select", { name: "contentType" }, ["text", "image", "video", "music"].map((t) => h("option", { value: t }, t)));
  const tier = h("select", { name: "tier" }, ["basic", "standard", "premium"].map((t) => h("option", { value: t }, t)));
  tier.value = "standard";
  const brief = h("textarea", { name: "brief", rows: 4, required: true, maxLength: 4000 });
  const kit = h("input", { name: "brandKitId", value: "aurora-core", required: true, pattern: "[A-Za-z0-9._\\-]{1,64}" });
  const locales = h("input", { name: "locales", placeholder: "fr-FR, de-DE" });
  const campaign = h("input", { name: "campaignId" });
  const sponsored = h("input", { type: "checkbox", name: "sponsored", id: "sponsored" });
  const channel = h("select", { name: "channel" }, [h("option", { value: "" }, "any (no platform rules)"), ...PLATFORMS.map((p) => h("option", { value: p }, p))]);
  const status = h("section", { class: "request-status", "aria-live": "polite", id: "request-status" });
  const problems = h("div", { role: "alert", class: "notice-slot" });
  const submit = h("button", { type: "submit", class: "primary" }, "Submit request");

  const form = h(
    "form",
    {
      class: "card request-form",
      onsubmit: async (event) => {
        event.preventDefault();
        clear(problems);
        const body = submissionFrom({
          contentType: contentType.value,
          tier: tier.value,
          brief: brief.value,
          brandKitId: kit.value,
          sponsored: sponsored.checked,
          channel: channel.value,
          locales: locales.value,
          campaignId: campaign.value,
        });
        submit.disabled = true;
        try {
          const accepted = await ctx.api.post("/v1/assets", body);
          ctx.announce("Request accepted");
          follow(accepted.requestId);
        } catch (error) {
          const lines = error instanceof ApiError ? error.fieldProblems : [];
          problems.append(h("div", { class: "notice error" }, h("p", {}, `The request was refused: ${error.message}`), lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : null));
          submit.disabled = false;
        }
      },
    },
    h("div", { class: "grid-2" }, field("Content type", contentType), field("Tier", tier)),
    field("Brief", brief, "What to make, for whom, in what voice"),
    field("Platform", channel, "The platform whose rules (length, format, disclosures) the result must meet; schedule posts to several from the calendar"),
    h("div", { class: "grid-2" }, field("Locales", locales, "Translations, comma-separated"), field("Campaign", campaign, "Campaign id (optional)")),
    field("Brand kit", kit),
    h("div", { class: "check-row" }, sponsored, h("label", { for: "sponsored" }, "Sponsored (needs a disclosure such as #ad)")),
    problems,
    h("div", { class: "actions" }, submit),
  );
  main.append(h("h1", {}, "New request"), form, status);

  let timer = null;
  let stopped = false;
  function follow(requestId) {
    const path = `/v1/requests/${encodeURIComponent(requestId)}`;
    let last = null;
    const tick = async () => {
      if (stopped) return;
      try {
        const record = await ctx.api.get(path);
        if (record.status !== last) {
          last = record.status;
          draw(record);
          ctx.announce(STATUS_TEXT[record.status] || record.status);
        }
        if (SETTLED.has(record.status)) {
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
    if (record.status === "needs_review" && record.review) {
      status.append(h("p", {}, h("a", { href: `#/reviews/${encodeURIComponent(record.review.reviewId)}`, class: "button-link" }, "Open the review")));
    }
    if (record.status === "succeeded" && record.asset) {
      const assetId = record.asset.assetId;
      const links = h("div", { class: "actions" }, h("a", { href: `#/assets/${encodeURIComponent(assetId)}/lineage` }, "See its lineage"));
      status.append(links);
      // The asset's record carries a short-lived presigned download of its current version.
      ctx.api.get(`/v1/assets/${encodeURIComponent(assetId)}`).then(
        (asset) => {
          const current = (asset.versions || []).find((v) => v.version === asset.currentVersion);
          if (current?.download) links.prepend(h("a", { href: current.download.url, download: "", class: "button-link", id: "download-link" }, "Download the result"));
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
