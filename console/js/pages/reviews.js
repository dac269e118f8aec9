// The review queue: pending reviews, oldest first, with the time left before each expires.
import { clear, field, formatTime, h, parseInstant, timeLeft } from "../dom.js";
import { severityLabel, worstSeverity } from "../severity.js";

const AGES = { "": "Any age", "3600": "Last hour", "86400": "Last day", "604800": "Last week" };

export async function renderReviews(ctx, main) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const campaign = h("input", { name: "campaignId", value: params.get("campaignId") || "" });
  const medium = h(
    "select",
    { name: "medium" },
    ["", "text", "image", "video", "music"].map((m) => h("option", { value: m }, m || "Any medium")),
  );
  const age = h("select", { name: "age" }, Object.entries(AGES).map(([v, t]) => h("option", { value: v }, t)));
  const severity = h(
    "select",
    { name: "worstSeverity" },
    ["", "error", "warning", "suggestion"].map((s) => h("option", { value: s }, s ? severityLabel(s) : "Any severity")),
  );
  medium.value = params.get("medium") || "";
  age.value = params.get("age") || "";
  severity.value = params.get("worstSeverity") || "";

  const list = h("div", { class: "queue", "aria-live": "polite", "aria-busy": "true" });
  const more = h("button", { type: "button", hidden: true }, "Load more");
  let nextToken = null;
  let shown = [];

  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter reviews",
      onsubmit: (event) => {
        event.preventDefault();
        // The filters stay in the address (a reload or a shared URL keeps them) without a new history entry.
        const kept = new URLSearchParams();
        for (const [name, el] of Object.entries({ campaignId: campaign, medium, age, worstSeverity: severity })) {
          if (el.value.trim()) kept.set(name, el.value.trim());
        }
        history.replaceState(null, "", `#/reviews${kept.size ? `?${kept}` : ""}`);
        load(false);
      },
    },
    field("Campaign", campaign),
    field("Medium", medium),
    field("Age", age),
    field("Worst severity", severity),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Apply filters")),
  );

  main.append(h("h1", {}, "Reviews waiting"), filters, list, more);

  function query() {
    const since = age.value ? new Date(Date.now() - Number(age.value) * 1000).toISOString() : undefined;
    return {
      status: "pending",
      campaignId: campaign.value.trim() || undefined,
      medium: medium.value || undefined,
      since,
      worstSeverity: severity.value || undefined,
    };
  }

  // The API filters these itself; the same filters are applied here too so a page from an older API
  // (which ignores unknown query parameters) still shows only what was asked for.
  function keep(review, q) {
    if (review.status && review.status !== "pending") return false;
    if (q.medium && review.contentType !== q.medium) return false;
    if (q.since && parseInstant(review.createdAt) < Date.parse(q.since)) return false;
    if (q.campaignId && review.campaignId && review.campaignId !== q.campaignId) return false;
    const worst = review.worstSeverity || worstSeverity(review.violations);
    if (q.worstSeverity && worst !== q.worstSeverity) return false;
    return true;
  }

  async function load(append) {
    list.setAttribute("aria-busy", "true");
    const q = query();
    try {
      const page = await ctx.api.get("/v1/reviews", { ...q, limit: 50, nextToken: append ? nextToken : undefined });
      nextToken = page.nextToken || null;
      const items = (page.items || []).filter((r) => keep(r, q));
      shown = append ? shown.concat(items) : items;
      shown.sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt));
      draw();
      ctx.announce(`${shown.length} review${shown.length === 1 ? "" : "s"} waiting`);
    } catch (error) {
      clear(list).append(h("p", { class: "notice error", role: "alert" }, `Could not load reviews: ${error.message}`));
    } finally {
      list.setAttribute("aria-busy", "false");
      more.hidden = !nextToken;
    }
  }

  function draw() {
    clear(list);
    if (!shown.length) {
      list.append(h("p", { class: "empty" }, "No reviews are waiting."));
      return;
    }
    const rows = shown.map((r) => {
      const worst = r.worstSeverity || worstSeverity(r.violations);
      const expires = r.expiresAt || r.deadline;
      const late = parseInstant(expires) - Date.now() < 3600_000;
      return h(
        "li",
        { class: "queue-item" },
        h(
          "a",
          { href: `#/reviews/${encodeURIComponent(r.reviewId)}`, class: "queue-link" },
          h("span", { class: "queue-title" }, `${(r.parts || []).length ? `bundle (${r.parts.map((p) => p.partId).join(", ")})` : r.contentType} · round ${r.round ?? 0}`),
          h("span", { class: "queue-prompt" }, r.prompt || r.requestId),
        ),
        h(
          "dl",
          { class: "facts" },
          h("div", {}, h("dt", {}, "Worst"), h("dd", {}, h("span", { class: `badge sev-${worst}` }, severityLabel(worst)))),
          h("div", {}, h("dt", {}, "Waiting since"), h("dd", {}, h("time", { datetime: r.createdAt }, formatTime(r.createdAt)))),
          h(
            "div",
            {},
            h("dt", {}, "Time left"),
            h("dd", { class: late ? "late" : "" }, h("time", { datetime: expires }, timeLeft(expires))),
          ),
        ),
      );
    });
    list.append(h("ol", { class: "queue-list", "aria-label": "Pending reviews, oldest first" }, rows));
  }

  more.addEventListener("click", () => load(true));
  await load(false);
  return null;
}
