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

/**
 * Send an upload with XMLHttpRequest (fetch has no upload progress), reporting progress; ``refusal(xhr)`` words a
 * non-2xx answer, ``lost`` a dropped connection.
 */
function sendWithProgress(xhr, body, size, onProgress, refusal, lost) {
  return new Promise((resolve, reject) => {
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(size, size);
        resolve();
      } else {
        reject(new Error(refusal(xhr)));
      }
    };
    xhr.onerror = () => reject(new Error(lost));
    xhr.send(body);
  });
}

/** PUT a file to a presigned upload ticket, reporting progress. */
export function uploadWithProgress(ticket, file, onProgress) {
  const xhr = new XMLHttpRequest();
  xhr.open(ticket.method || "PUT", ticket.url);
  for (const [name, value] of Object.entries(ticket.headers || {})) {
    if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value);
  }
  const refusal = (answer) => `Upload refused: HTTP ${answer.status}`;
  return sendWithProgress(xhr, file, file.size, onProgress, refusal, "Upload failed: network error");
}

/** What an S3 error answer (XML: Code, Message) means for the person uploading. */
export function storageProblem(status, body, maxBytes) {
  let code = "";
  let message = "";
  try {
    const doc = new DOMParser().parseFromString(body || "", "application/xml");
    code = doc.querySelector("Code")?.textContent || "";
    message = doc.querySelector("Message")?.textContent || "";
  } catch {
    /* not XML: the status says enough */
  }
  const limit = maxBytes ? ` (at most ${Math.round(maxBytes / (1024 * 1024))} MB)` : "";
  const known = {
    EntityTooLarge: `The file is too large${limit}.`,
    EntityTooSmall: "The file is empty.",
    AccessDenied: "The storage refused the upload: the upload form has expired or does not fit this file. Try again.",
    SignatureDoesNotMatch: "The storage refused the upload form. Try again.",
  };
  return known[code] || `The upload was refused (HTTP ${status}${code ? `, ${code}` : ""})${message ? `: ${message}` : "."}`;
}

/**
 * POST a file to a presigned S3 POST (an HTML form upload: the ticket's fields, then the file, last, as "file"),
 * reporting progress. Refusals come back as Errors whose message says what S3 objected to.
 */
export function uploadFormWithProgress(ticket, file, onProgress) {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields || {})) form.append(name, value);
  form.append("file", file); // S3 ignores every field after the file
  const xhr = new XMLHttpRequest();
  xhr.open(ticket.method || "POST", ticket.url);
  const refusal = (answer) => storageProblem(answer.status, answer.responseText, ticket.maxBytes);
  const lost = "The upload failed: the network connection was lost.";
  return sendWithProgress(xhr, form, file.size, onProgress, refusal, lost);
}
