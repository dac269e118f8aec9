// config.json sits beside index.html: ffo serve writes one for the local stack; on AWS it is built from the
// stack's outputs when the console is published (make console-deploy).

export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  config.apiBase = String(config.apiBase || "").replace(/\/+$/, "");
  config.auth = config.auth || { mode: "local", tokenUrl: "/local/token" };
  config.heartbeatSeconds = Number(config.heartbeatSeconds) || 30;
  return config;
}
