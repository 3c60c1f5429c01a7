// Small formatting helpers for the page.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(n) {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[i]}`;
}

export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

export function ago(iso, now = Date.now()) {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1500) return 'just now';
  return `${duration(ms / 1000)} ago`;
}

export function clock(ms = Date.now()) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** Sets the text of #id (textContent: never HTML). */
export function setText(id, text) {
  const el = document.getElementById(id);
  if (el && el.textContent !== text) el.textContent = text;
}

/** An element with text and attributes. */
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** "ERR_X: message" as an error line. */
export function failureLine(err) {
  const p = el('p', null, { class: 'err', role: 'alert' });
  p.append(el('strong', err.code ?? 'ERR'), `: ${err.message}${err.status ? ` (HTTP ${err.status})` : ''}`);
  return p;
}
