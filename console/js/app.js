// The console: hash routes over the API. Each page renders into <main> and may return a cleanup function
// (timers such as the review heartbeat stop when the person leaves the page).
import { createApi } from "./api.js";
import { claimsOf, completeOidcSignIn, currentToken, logoutUrl, signOut } from "./auth.js";
import { loadConfig } from "./config.js";
import { clear, h } from "./dom.js";
import { renderCalendar } from "./pages/calendar.js";
import { renderLineage } from "./pages/lineage.js";
import { renderNewRequest } from "./pages/request.js";
import { renderReview } from "./pages/review.js";
import { renderReviews } from "./pages/reviews.js";
import { renderShared } from "./pages/shared.js";
import { renderSignIn } from "./pages/signin.js";

const ROUTES = [
  { pattern: /^#\/reviews\/?(?:\?.*)?$/, page: renderReviews, title: "Reviews" },
  { pattern: /^#\/reviews\/([^/]+)$/, page: renderReview, title: "Review" },
  { pattern: /^#\/assets\/([^/]+)\/lineage$/, page: renderLineage, title: "Lineage" },
  { pattern: /^#\/requests\/new$/, page: renderNewRequest, title: "New request" },
  { pattern: /^#\/calendar$/, page: renderCalendar, title: "Calendar" },
  { pattern: /^#\/shared\/([^/]+)$/, page: renderShared, title: "Review shared with you", public: true },
];

const main = document.getElementById("main");
const announcer = document.getElementById("announce");
let cleanup = null;
let ctx = null;

function announce(message) {
  announcer.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages too.
  setTimeout(() => {
    announcer.textContent = message;
  }, 30);
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderWho() {
  const who = clear(document.getElementById("who"));
  const nav = document.getElementById("nav");
  const token = currentToken();
  nav.hidden = !token;
  if (!token) return;
  const claims = claimsOf(token) || {};
  const org = claims["custom:org_id"] || claims.org_id || "";
  who.append(
    h("span", { class: "who-name" }, `${claims.email || claims.sub}${org ? ` · ${org}` : ""}`),
    h(
      "button",
      {
        type: "button",
        class: "link-button",
        onclick: () => {
          signOut();
          const away = logoutUrl(ctx.config);
          if (away) location.assign(away);
          else navigate("#/reviews");
        },
      },
      "Sign out",
    ),
  );
}

function markCurrentNav() {
  for (const link of document.querySelectorAll("#nav a")) {
    const here = location.hash.startsWith(link.getAttribute("href"));
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup must not stop the next page */
    }
    cleanup = null;
  }
  const hash = location.hash || "#/reviews";
  const match = ROUTES.map((r) => ({ r, m: hash.match(r.pattern) })).find((x) => x.m);
  clear(main);
  renderWho();
  markCurrentNav();
  if (!match) {
    document.title = "Not found · FlashFusion";
    main.append(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/reviews" }, "Go to the review queue")));
    return;
  }
  if (!match.r.public && !currentToken()) {
    document.title = "Sign in · FlashFusion";
    cleanup = renderSignIn(ctx, main, () => route());
    return;
  }
  document.title = `${match.r.title} · FlashFusion`;
  const params = match.m.slice(1).map((p) => decodeURIComponent(p));
  try {
    cleanup = (await match.r.page(ctx, main, ...params)) || null;
  } catch (error) {
    main.append(h("div", { class: "notice error", role: "alert" }, `Could not load this page: ${error.message}`));
  }
  main.focus({ preventScroll: true });
}

async function start() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    clear(main).append(h("div", { class: "notice error", role: "alert" }, `The console has no configuration: ${error.message}`));
    return;
  }
  // An expired or refused token: back to sign-in, then to the same page.
  const api = createApi(config, () => {
    signOut();
    setTimeout(route, 0);
  });
  ctx = { config, api, announce, navigate };
  if (config.auth.mode === "oidc") {
    try {
      const back = await completeOidcSignIn(config);
      if (back) location.hash = back;
    } catch (error) {
      ctx.signInError = error.message;
    }
  }
  window.addEventListener("hashchange", route);
  await route();
}

start();
