// "Use it": read a record (owner or me, key), write and delete with the node's user key (token), list an owner's
// records held here, page by page. Every refusal shows its code.
import { ApiFailure, call, token } from './api.js';
import { el, failureLine } from './format.js';

function recordFacts(r) {
  const dl = el('dl');
  const add = (k, v) => dl.append(el('dt', k), el('dd', v));
  add('Value', r.deleted ? '(deleted: empty value)' : r.value ?? `(not text) base64 ${r.valueBase64}`);
  add('Time', `${r.timeIso} (${new Date(r.time).toLocaleString()})`);
  add('Owner', r.owner);
  add('Replicas', r.replicas && r.replicas.length ? r.replicas.join(', ') : 'none known yet');
  return dl;
}

const path = (owner, key) => `/records/${encodeURIComponent(owner)}/${encodeURIComponent(key)}`;

export function setupUse({ askToken }) {
  const readForm = document.getElementById('read-form');
  const readOut = document.getElementById('read-out');
  readForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const owner = readForm.owner.value.trim() || 'me';
    const key = readForm.key.value;
    readOut.replaceChildren(el('p', 'reading…'));
    try {
      const r = await call('GET', path(owner, key));
      readOut.replaceChildren(el('p', `Found ${JSON.stringify(key)}`, { class: 'ok' }), recordFacts(r));
    } catch (err) {
      readOut.replaceChildren(failureLine(err));
      if (err.status === 401) askToken(err.message);
    }
  });

  const writeForm = document.getElementById('write-form');
  const writeOut = document.getElementById('write-out');
  const send = async (method, p, body, what) => {
    writeOut.replaceChildren(el('p', `${what}…`));
    try {
      const r = await call(method, p, body);
      writeOut.replaceChildren(el('p', `${what === 'writing' ? 'Written' : 'Deleted'}: ${JSON.stringify(r.key)}`, { class: 'ok' }), recordFacts(r));
    } catch (err) {
      writeOut.replaceChildren(failureLine(err));
      if (err instanceof ApiFailure && err.status === 401) askToken(token.get() ? 'The token was refused: enter the right one.' : 'Writing needs the API token.');
    }
  };
  writeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send('POST', '/records', { key: writeForm.key.value, value: writeForm.value.value }, 'writing');
  });
  document.getElementById('delete-btn').addEventListener('click', () => {
    if (!writeForm.key.reportValidity()) return;
    void send('DELETE', `/records/${encodeURIComponent(writeForm.key.value)}`, undefined, 'deleting');
  });

  const listForm = document.getElementById('list-form');
  const listOut = document.getElementById('list-out');
  const listTable = document.getElementById('list-table');
  const next = document.getElementById('list-next');
  let cursor = null;
  const list = async (after) => {
    const q = new URLSearchParams();
    if (listForm.prefix.value) q.set('prefix', listForm.prefix.value);
    q.set('limit', listForm.limit.value || '20');
    if (after) q.set('after', after);
    const owner = listForm.owner.value.trim() || 'me';
    listOut.replaceChildren(el('p', 'listing…'));
    try {
      const page = await call('GET', `/records/${encodeURIComponent(owner)}?${q}`);
      cursor = page.next;
      next.hidden = cursor === null;
      listTable.hidden = page.records.length === 0;
      listTable.tBodies[0].replaceChildren(
        ...page.records.map((r) => {
          const tr = el('tr');
          tr.append(el('td', r.key ?? `base64 ${r.keyBase64}`), el('td', r.deleted ? '(deleted)' : r.value ?? `base64 ${r.valueBase64}`, { class: 'val' }), el('td', r.timeIso));
          return tr;
        }),
      );
      listOut.replaceChildren(el('p', page.records.length ? `${page.records.length} record(s)${after ? ` after ${JSON.stringify(after)}` : ''}${cursor ? '; more on the next page' : ''}` : 'No record of this owner here.'));
    } catch (err) {
      next.hidden = true;
      listTable.hidden = true;
      listOut.replaceChildren(failureLine(err));
      if (err.status === 401) askToken(err.message);
    }
  };
  listForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void list(null);
  });
  next.addEventListener('click', () => void list(cursor));
}
