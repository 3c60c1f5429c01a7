// The node's page: loads /status, /peers and /owners, then follows GET /events (one stream) to stay live.
// Plain ES module, no build step; it talks only to this origin (see the Content-Security-Policy).
import { ApiFailure, call, streamEvents, token } from './api.js';
import { Charts } from './charts.js';
import { bytes, clock, duration, el, setText } from './format.js';
import { PeerTable } from './peers.js';
import { setupUse } from './use.js';

const LOG_LIMIT = 50;
const PEERS_REFRESH_MS = 5000;
const OWNERS_REFRESH_MS = 30_000;
const OWNERS_AFTER_STORED_MS = 5000;
let ownersAt = 0;

let status = null;
let uptimeBase = null; // [uptimeSeconds, performance.now()] at the last /status
let stopStream = null;
const charts = new Charts();
const peers = new PeerTable(document.getElementById('peer-table'), (known, active) => {
  setText('peer-count', known ? `${active} active of ${known} known` : '');
  document.getElementById('no-peers').hidden = known > 0;
});

// for tests and the curious: what the page holds (it never grows past its windows)
globalThis.davePage = { points: () => charts.points(), logSize: () => document.getElementById('log').children.length, peers: () => peers.rows.size };

function log(text) {
  const ol = document.getElementById('log');
  const li = el('li');
  li.append(el('time', clock()), ` ${text}`);
  ol.append(li);
  while (ol.children.length > LOG_LIMIT) ol.firstElementChild.remove();
  ol.scrollTop = ol.scrollHeight;
}

function live(text, ok) {
  const p = document.getElementById('live');
  p.textContent = text;
  p.className = `live ${ok ? 'ok' : 'bad'}`;
}

/** The store health /status carries (docs/api.md), under whichever name; null when absent. */
function storeHealthOf(s) {
  return s?.storeHealth ?? s?.store?.health ?? s?.health ?? null;
}

function showHealth(h) {
  const dd = document.getElementById('n-health');
  if (h === null || h === undefined) {
    dd.textContent = 'not reported by this node';
    dd.className = '';
    return;
  }
  const state = typeof h === 'string' ? h : h.state ?? h.status ?? (h.ok === false ? 'degraded' : 'ok');
  const parts = [state];
  if (typeof h === 'object') {
    const e = h.lastError ?? h.error;
    if (e) parts.push(`last error: ${typeof e === 'string' ? e : e.code ?? e.message ?? JSON.stringify(e)}`);
    if (h.since) parts.push(`since ${typeof h.since === 'number' ? new Date(h.since).toISOString() : h.since}`);
  }
  dd.textContent = parts.join(' · ');
  dd.className = state === 'ok' ? 'health-ok' : 'health-bad';
}

function showStore(records, used, capacity) {
  setText('s-records', String(records));
  const pct = capacity > 0 ? (100 * used) / capacity : 0;
  setText('s-used', `${bytes(used)} of ${bytes(capacity)} used (${pct < 0.1 && used > 0 ? '<0.1' : pct.toFixed(1)}%)`);
  const bar = document.getElementById('s-bar');
  bar.setAttribute('aria-valuenow', pct.toFixed(1));
  bar.setAttribute('aria-valuetext', `${pct.toFixed(1)}% of the capacity used`);
  const fill = document.getElementById('s-fill');
  fill.style.width = `${Math.min(100, pct)}%`;
  fill.classList.toggle('high', pct >= 90);
}

function showRefusals(t) {
  const rows = [['Evicted to make room', t.evicted]];
  for (const [reason, n] of Object.entries(t.refused ?? {})) rows.push([`Refused: ${reason}`, n]);
  if (t.verifyFailures) rows.push(['Failed verification', t.verifyFailures]);
  if (t.malformed) rows.push(['Malformed messages', t.malformed]);
  document.getElementById('refusals').tBodies[0].replaceChildren(
    ...rows.map(([what, n]) => {
      const tr = el('tr');
      tr.append(el('td', what), el('td', n, { class: 'num' }));
      return tr;
    }),
  );
}

function showStatus(s) {
  status = s;
  uptimeBase = [s.uptimeSeconds ?? 0, performance.now()];
  setText('title-id', s.id);
  document.title = `Dave node ${s.id}`;
  setText('n-id', s.id);
  setText('n-pub', s.publicKey);
  setText('n-user', s.userKey);
  setText('n-addr', `${s.address} (UDP; TCP on port + 1)`);
  setText('n-public', s.publicAddress ?? 'not yet (no edge has told us)');
  setText('n-version', s.version ?? '–');
  setText('f-version', s.version ?? '');
  setText('n-ticket', s.ticket);
  showHealth(storeHealthOf(s));
  showStore(s.records, s.usedSpace, s.capacity);
  tickUptime();
}

function tickUptime() {
  if (!uptimeBase) return;
  setText('n-uptime', duration(uptimeBase[0] + (performance.now() - uptimeBase[1]) / 1000));
}

function showTokenState() {
  const has = token.get() !== null;
  setText('token-state', has ? 'This tab holds an API token.' : 'No API token in this tab.');
  document.getElementById('token-forget').hidden = !has;
}

function askToken(why) {
  const form = document.getElementById('token-form');
  setText('token-why', why);
  form.hidden = false;
  form.token.focus();
}

async function loadStatus() {
  try {
    showStatus(await call('GET', '/status'));
    return true;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) askToken('This node asks for the API token for every request (its API listens beyond loopback).');
    live(`cannot read /status: ${err.code}`, false);
    return false;
  }
}

async function loadPeers() {
  try {
    peers.replace((await call('GET', '/peers')).peers);
  } catch {
    // shown by the status line; retried on the next refresh
  }
}

async function loadOwners() {
  ownersAt = Date.now();
  try {
    const o = await call('GET', '/owners');
    const me = status?.userKey;
    document.getElementById('owners').tBodies[0].replaceChildren(
      ...o.owners.map((x) => {
        const tr = el('tr');
        const who = el('td');
        who.append(el('code', `${x.owner.slice(0, 16)}…`, { title: x.owner }), x.owner === me ? ' (this node’s user key)' : '');
        tr.append(who, el('td', x.records, { class: 'num' }));
        return tr;
      }),
    );
    setText('owners-note', o.owners.length === 0 ? 'No record held yet.' : `${o.scanned} records scanned at ${clock(o.at)}${o.approximate ? '; counts are lower bounds (many owners)' : ''}.`);
  } catch {
    setText('owners-note', 'not available');
  }
}

function onEvent(name, d) {
  switch (name) {
    case 'hello':
      charts.load(d.history, d.historyLength, d.intervalMs);
      if (d.health) showHealth(d.health.store);
      break;
    case 'tick':
      charts.push(d);
      showStore(d.records, d.usedSpace, d.capacity);
      showRefusals(d.totals);
      if (peers.rows.size <= 200) peers.render();
      break;
    case 'stored':
      if (Date.now() - ownersAt > OWNERS_AFTER_STORED_MS) void loadOwners();
      log(`${d.count} record${d.count === 1 ? '' : 's'} stored (${d.records} held)`);
      setText('s-records', String(d.records));
      break;
    case 'peer-added':
      peers.upsert(d);
      log(`peer ${d.address} joined${d.id ? ` (${d.id})` : ''}`);
      break;
    case 'peer-changed':
      peers.upsert(d);
      log(`peer ${d.address}${d.id ? ` ${d.id}` : ''}: ${d.active ? 'active' : 'inactive'}`);
      break;
    case 'peer-lost':
      peers.remove(d.address);
      log(`peer ${d.address}${d.id ? ` (${d.id})` : ''} lost`);
      break;
    case 'peers':
      log(`${d.added} peers joined, ${d.lost} lost, ${d.changed} changed`);
      void loadPeers();
      break;
    case 'health':
      showHealth(d.store);
      log(`health: store ${JSON.stringify(d.store)}, ${d.connected ? 'connected to peers' : 'no active peer'}`);
      break;
    default:
      break;
  }
}

function startStream() {
  stopStream?.();
  stopStream = streamEvents(onEvent, (state, failure) => {
    if (state === 'live') {
      live('live', true);
      void loadStatus();
      void loadPeers();
    } else {
      live(`live updates paused: ${failure?.code ?? 'disconnected'}${failure?.status === 503 ? ' (too many open pages?)' : ''}; retrying`, false);
      if (failure?.status === 401) {
        // no use retrying without the right token: saving one starts the stream again
        stopStream?.();
        stopStream = null;
        askToken('Live updates need the API token here.');
      }
    }
  });
}

function setupToken() {
  const form = document.getElementById('token-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    token.set(form.token.value.trim());
    form.token.value = '';
    form.hidden = true;
    showTokenState();
    log('API token saved for this tab');
    void loadStatus().then(() => loadPeers());
    startStream();
  });
  document.getElementById('token-cancel').addEventListener('click', () => (form.hidden = true));
  document.getElementById('token-open').addEventListener('click', () => askToken('Enter the API token.'));
  document.getElementById('token-forget').addEventListener('click', () => {
    token.clear();
    showTokenState();
    log('API token forgotten');
  });
  showTokenState();
}

document.getElementById('copy-ticket').addEventListener('click', async () => {
  const t = status?.ticket ?? '';
  let ok = false;
  try {
    await navigator.clipboard.writeText(t);
    ok = true;
  } catch {
    // no clipboard permission (plain http off loopback): select it for Ctrl-C instead
    const r = document.createRange();
    r.selectNodeContents(document.getElementById('n-ticket'));
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  }
  setText('copy-done', ok ? 'copied' : 'selected: press Ctrl-C');
  setTimeout(() => setText('copy-done', ''), 3000);
});

setupToken();
setupUse({ askToken });
await loadStatus();
await loadPeers();
void loadOwners();
startStream();
setInterval(tickUptime, 1000);
setInterval(() => document.visibilityState === 'visible' && void loadPeers(), PEERS_REFRESH_MS);
setInterval(() => document.visibilityState === 'visible' && void loadOwners(), OWNERS_REFRESH_MS);
