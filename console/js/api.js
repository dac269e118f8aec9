// The API client: bearer token from the session, JSON in and out, RFC 9457 problem details as ApiError.
import { currentToken } from "./auth.js";

export class ApiError extends Error {
  constructor(status, problem) {
    const text = problem?.detail || problem?.title || problem?.message || `HTTP ${status}`;
    super(text);
    this.status = status;
    this.problem = problem || {};
    this.code = problem?.code || null;
  }

  /** Field problems as "field: problem" lines. */
  get fieldProblems() {
    return (this.problem.errors || []).map((e) => `${e.field}: ${e.problem}`);
  }
}

export function createApi(config, onUnauthorized = () => {}) {
  async function request(method, path, { json, query, anonymous = false } = {}) {
    const url = new URL(`${config.apiBase}${path}`, location.href);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
    }
    const headers = { accept: "application/json" };
    if (!anonymous) {
      const token = currentToken();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    if (json !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    let body = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { detail: text };
      }
    }
    if (!response.ok) {
      if (response.status === 401 && !anonymous) onUnauthorized();
      throw new ApiError(response.status, body);
    }
    return body;
  }
  return {
    get: (path, query, options) => request("GET", path, { ...options, query }),
    post: (path, json, options) => request("POST", path, { ...options, json }),
    patch: (path, json) => request("PATCH", path, { json }),
    del: (path) => request("DELETE", path),
    request,
  };
}

/** PUT a file to a presigned upload ticket, reporting progress (fetch has no upload progress). */
export function uploadWithProgress(ticket, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method || "PUT", ticket.url);
    for (const [name, value] of Object.entries(ticket.headers || {})) {
      if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new Error(`Upload refused: HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error("Upload failed: network error"));
    xhr.send(file);
  });
}
