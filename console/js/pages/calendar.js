// Posts by day and platform across the organisation's campaigns; reschedule or cancel a scheduled post.
import { ApiError } from "../api.js";
import { clear, field, h, parseInstant } from "../dom.js";

function dayKey(iso) {
  const d = new Date(parseInstant(iso));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** An ISO instant as the value of a datetime-local input (local time, minutes). */
function localInputValue(iso) {
  const d = new Date(parseInstant(iso));
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function allPages(ctx, path) {
  const items = [];
  let nextToken;
  for (let page = 0; page < 20; page += 1) {
    const answer = await ctx.api.get(path, { limit: 100, nextToken });
    items.push(...(answer.items || []));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return items;
}

export async function renderCalendar(ctx, main) {
  main.append(h("h1", {}, "Campaign calendar"));
  const outcome = h("div", { role: "alert", class: "notice-slot" });
  const board = h("div", { class: "calendar", "aria-busy": "true" });
  main.append(outcome, board);
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async function load() {
    board.setAttribute("aria-busy", "true");
    const campaigns = await allPages(ctx, "/v1/campaigns");
    const names = new Map(campaigns.map((c) => [c.campaignId, c.name]));
    const posts = (await Promise.all(campaigns.map((c) => allPages(ctx, `/v1/campaigns/${encodeURIComponent(c.campaignId)}/posts`)))).flat();
    posts.sort((a, b) => parseInstant(a.scheduledAt) - parseInstant(b.scheduledAt));
    draw(posts, names);
    board.setAttribute("aria-busy", "false");
  }

  function draw(posts, names) {
    clear(board);
    if (!posts.length) {
      board.append(h("p", { class: "empty" }, "No posts are planned."));
      return;
    }
    const days = new Map();
    for (const post of posts) {
      const day = dayKey(post.scheduledAt);
      if (!days.has(day)) days.set(day, new Map());
      const platforms = days.get(day);
      if (!platforms.has(post.platform)) platforms.set(post.platform, []);
      platforms.get(post.platform).push(post);
    }
    for (const [day, platforms] of days) {
      const date = new Date(`${day}T12:00:00`);
      const section = h("section", { class: "day", "aria-label": date.toDateString() }, h("h2", { class: "day-title" }, date.toLocaleDateString(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" })));
      for (const [platform, list] of platforms) {
        section.append(h("h3", { class: "platform" }, platform), h("ul", { class: "posts" }, list.map((p) => postItem(p, names))));
      }
      board.append(section);
    }
  }

  function postItem(post, names) {
    const when = h("input", { type: "datetime-local", value: localInputValue(post.scheduledAt), name: "scheduledAt" });
    const editable = post.status === "scheduled";
    const item = h(
      "li",
      { class: `post status-${post.status}` },
      h("p", { class: "post-head" }, h("time", { datetime: post.scheduledAt }, new Date(parseInstant(post.scheduledAt)).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })), ` · ${post.status}`, post.campaignId ? ` · ${names.get(post.campaignId) || post.campaignId}` : ""),
      post.caption ? h("p", { class: "caption" }, post.caption) : null,
      h("p", { class: "hint" }, `Post ${post.postId}, asset ${post.assetId} v${post.assetVersion}`, post.platformUrl ? [" · ", h("a", { href: post.platformUrl }, "published post")] : null),
    );
    if (editable) {
      item.append(
        h(
          "form",
          {
            class: "reschedule",
            onsubmit: async (e) => {
              e.preventDefault();
              await act(() => ctx.api.patch(`/v1/posts/${encodeURIComponent(post.postId)}`, { scheduledAt: new Date(when.value).toISOString(), timeZone }), "Post rescheduled");
            },
          },
          field(["New time", h("span", { class: "visually-hidden" }, ` for post ${post.postId}`)], when),
          h("div", { class: "actions" },
            h("button", { type: "submit" }, "Reschedule"),
            h("button", { type: "button", class: "danger", onclick: () => act(() => ctx.api.del(`/v1/posts/${encodeURIComponent(post.postId)}`), "Post cancelled") }, "Cancel post"),
          ),
        ),
      );
    }
    return item;
  }

  async function act(call, done) {
    clear(outcome);
    try {
      await call();
      outcome.append(h("p", { class: "notice success" }, done));
      ctx.announce(done);
      await load();
    } catch (error) {
      const text = error instanceof ApiError && error.status === 409 ? `Not possible now: ${error.message}` : `Failed: ${error.message}`;
      outcome.append(h("p", { class: "notice error" }, text));
    }
  }

  try {
    await load();
  } catch (error) {
    outcome.append(h("p", { class: "notice error" }, `Could not load the calendar: ${error.message}`));
  }
  return null;
}
