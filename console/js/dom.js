// Small DOM helpers: elements are built with properties and text nodes, never from HTML strings, so
// nothing an API returns (prompts, captions, names) can inject markup.

/** h("button", {type: "button", onclick}, "Approve") */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "style" && typeof value === "object") {
      Object.assign(el.style, value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let counter = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled field: <div class=field><label for>..</label>control hint?</div> */
export function field(label, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h("p", { class: "hint", id: `${id}-hint` }, hint);
    control.setAttribute("aria-describedby", hintEl.id);
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** "in 3 h 20 min" / "2 min ago" from now to an ISO instant. */
export function relativeTime(iso, now = Date.now()) {
  const then = parseInstant(iso);
  if (Number.isNaN(then)) return "unknown";
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  let text;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min`;
  else text = `${Math.floor(abs / 86400)} d ${Math.floor((abs % 86400) / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export function formatTime(iso) {
  const date = new Date(parseInstant(iso));
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** Milliseconds since the epoch; an ISO time written without an offset is UTC (the API stores UTC). */
export function parseInstant(iso) {
  if (typeof iso !== "string") return NaN;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(iso);
  return Date.parse(hasZone || !iso.includes("T") ? iso : `${iso}Z`);
}

/** "3 h 20 min" before an instant, or "expired". */
export function timeLeft(iso, now = Date.now()) {
  const then = parseInstant(iso);
  if (Number.isNaN(then)) return "unknown";
  return then <= now ? "expired" : relativeTime(iso, now).replace(/^in /, "");
}
