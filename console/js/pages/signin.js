import { beginOidcSignIn, localSignIn, storeToken } from "../auth.js";
import { field, h } from "../dom.js";

export function renderSignIn(ctx, main, done) {
  const { config } = ctx;
  const status = h("div", { role: "alert", class: "notice-slot" });
  const showError = (message) => {
    status.replaceChildren(h("p", { class: "notice error" }, message));
  };
  main.append(h("h1", {}, "Sign in"));
  if (ctx.signInError) showError(ctx.signInError);
  main.append(status);

  if (config.auth.mode === "oidc") {
    main.append(
      h("p", {}, "Sign in with your organisation's account."),
      h("button", { type: "button", class: "primary", onclick: () => beginOidcSignIn(config).catch((error) => showError(`Sign-in could not start: ${error.message}`)) }, "Sign in"),
    );
    return null;
  }

  const org = h("input", { name: "org", value: "acme", required: true, autocomplete: "organization" });
  const sub = h("input", { name: "sub", value: "reviewer-1", required: true, autocomplete: "username" });
  const groups = h("input", { name: "groups", value: "reviewers" });
  const pasted = h("textarea", { name: "token", rows: 3, spellcheck: false });
  const pasteForm = h(
    "form",
    {
      class: "card narrow",
      hidden: true,
      onsubmit: (event) => {
        event.preventDefault();
        try {
          storeToken(pasted.value.trim());
          done();
        } catch (error) {
          showError(error.message);
        }
      },
    },
    h("h2", {}, "Use a token"),
    field("Token from ffo token", pasted, "ffo token --org ORG --sub USER --groups reviewers"),
    h("button", { type: "submit", class: "primary" }, "Use this token"),
  );
  const localForm = h(
    "form",
    {
      class: "card narrow",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await localSignIn(config, { org: org.value.trim(), sub: sub.value.trim(), groups: groups.value.trim() });
          done();
        } catch (error) {
          showError(error.message);
          if (error.code === "no_local_token") pasteForm.hidden = false;
        }
      },
    },
    h("h2", {}, "Local sign-in"),
    h("p", { class: "hint" }, "ffo serve signs you in with its local issuer."),
    field("Organisation", org),
    field("User", sub),
    field("Groups (comma-separated)", groups, "reviewers may decide reviews"),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Sign in"),
      h("button", { type: "button", onclick: () => { pasteForm.hidden = false; pasted.focus(); } }, "Paste a token instead"),
    ),
  );
  main.append(localForm, pasteForm);
  return null;
}
