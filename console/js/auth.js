// Sign-in. Locally: a token from ffo serve's /local/token (or pasted from `ffo token`). On AWS: OpenID
// Connect authorization code flow with PKCE (RFC 7636, S256) against the issuer in config.json (the stack's
// Cognito Hosted UI); the state parameter is checked on return. Tokens live in sessionStorage only: they
// end with the tab and are not sent anywhere but the API.

const TOKEN_KEY = "ffo.idToken";
const PENDING_KEY = "ffo.pkce";

export function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(byteCount = 32) {
  const bytes = new Uint8Array(byteCount);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** The S256 code challenge of a verifier: BASE64URL(SHA-256(ASCII(verifier))). */
export async function codeChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(payload), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export function currentToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const claims = claimsOf(token);
  if (!claims || (claims.exp && claims.exp * 1000 < Date.now() + 10_000)) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  return token;
}

export function storeToken(token) {
  if (!claimsOf(token)) throw new Error("That is not a JWT");
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Local sign-in through ffo serve's issuer. */
export async function localSignIn(config, { org, sub, groups }) {
  const url = new URL(config.auth.tokenUrl || "/local/token", location.href);
  url.searchParams.set("org", org);
  url.searchParams.set("sub", sub);
  if (groups) url.searchParams.set("groups", groups);
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (response.status === 404) {
    const error = new Error("This server has no local sign-in route; paste a token from `ffo token` instead.");
    error.code = "no_local_token";
    throw error;
  }
  if (!response.ok) throw new Error(`Sign-in failed: HTTP ${response.status}`);
  const { token } = await response.json();
  storeToken(token);
  return token;
}

export function redirectUri(config) {
  // One registered callback per console: its folder, whether the page was opened as / or /index.html.
  return config.auth.redirectUri || `${location.origin}${location.pathname.replace(/index\.html$/, "")}`;
}

/** The issuer's endpoints: from config.json, else from its OpenID Connect discovery document. */
export async function discover(config) {
  if (config.auth.authorizeUrl && config.auth.tokenUrl) return config.auth;
  const response = await fetch(`${config.auth.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`The issuer's discovery document: HTTP ${response.status}`);
  const found = await response.json();
  config.auth.authorizeUrl = found.authorization_endpoint;
  config.auth.tokenUrl = found.token_endpoint;
  config.auth.logoutUrl = config.auth.logoutUrl || found.end_session_endpoint;
  return config.auth;
}

/** Start the authorization code + PKCE flow: remember verifier, state and where to come back, then leave. */
export async function beginOidcSignIn(config, returnHash = location.hash) {
  await discover(config);
  const verifier = randomString(48);
  const state = randomString(24);
  const nonce = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce, returnHash }));
  const url = new URL(config.auth.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.auth.clientId);
  url.searchParams.set("redirect_uri", redirectUri(config));
  url.searchParams.set("scope", config.auth.scope || "openid email profile");
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await codeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.toString());
}

/**
 * Back from the issuer with ?code=&state=: check the state, exchange the code with the verifier, keep the
 * ID token. Returns the hash to go back to, or null when this page load is not a sign-in return.
 */
export async function completeOidcSignIn(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", `${location.pathname}${pending?.returnHash || "#/reviews"}`);
  if (params.has("error")) {
    throw new Error(`Sign-in refused: ${params.get("error_description") || params.get("error")}`);
  }
  if (!pending || !pending.state || params.get("state") !== pending.state) {
    throw new Error("Sign-in answer did not match this browser's sign-in (state mismatch); please sign in again.");
  }
  await discover(config);
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: config.auth.clientId,
    code: params.get("code"),
    redirect_uri: redirectUri(config),
    code_verifier: pending.verifier,
  });
  const response = await fetch(config.auth.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  if (!response.ok) throw new Error(`Token exchange failed: HTTP ${response.status}`);
  const tokens = await response.json();
  const idToken = tokens.id_token;
  const claims = claimsOf(idToken || "");
  if (!claims) throw new Error("The issuer returned no ID token");
  if (pending.nonce && claims.nonce && claims.nonce !== pending.nonce) {
    throw new Error("The ID token's nonce does not match this sign-in");
  }
  storeToken(idToken);
  return pending.returnHash || "#/reviews";
}

export function logoutUrl(config) {
  if (!config.auth.logoutUrl) return null;
  const url = new URL(config.auth.logoutUrl);
  url.searchParams.set("client_id", config.auth.clientId);
  url.searchParams.set("logout_uri", redirectUri(config));
  return url.toString();
}
