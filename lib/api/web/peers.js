// The Peers table: rows keyed by address, sorted by any column (buttons in the headers), kept up to date
// from GET /peers and the peer-added / peer-changed / peer-lost events.
import { ago, el } from './format.js';

export class PeerTable {
  constructor(table, onCount) {
    this.table = table;
    this.onCount = onCount;
    this.rows = new Map();
    this.sortKey = 'address';
    this.dir = 1;
    for (const b of table.querySelectorAll('th button')) {
      b.addEventListener('click', () => this.sortBy(b.dataset.key));
    }
  }

  sortBy(key) {
    if (this.sortKey === key) this.dir = -this.dir;
    else {
      this.sortKey = key;
      this.dir = 1;
    }
    for (const th of this.table.querySelectorAll('th')) {
      const k = th.querySelector('button')?.dataset.key;
      th.setAttribute('aria-sort', k === this.sortKey ? (this.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    this.render();
  }

  replace(peers) {
    this.rows = new Map(peers.map((p) => [p.address, p]));
    this.render();
  }

  upsert(p) {
    this.rows.set(p.address, { ...this.rows.get(p.address), ...p });
    this.render();
  }

  remove(address) {
    this.rows.delete(address);
    this.render();
  }

  has(address) {
    return this.rows.has(address);
  }

  render() {
    const k = this.sortKey;
    const rows = [...this.rows.values()].sort((a, b) => {
      const x = a[k] ?? '';
      const y = b[k] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * this.dir || (a.address < b.address ? -1 : 1);
    });
    const body = this.table.tBodies[0];
    const now = Date.now();
    body.replaceChildren(
      ...rows.map((p) => {
        const tr = el('tr', null, { 'data-address': p.address });
        tr.append(
          el('td', p.address),
          el('td', p.id ?? (p.refused ? `refused: ${p.refused}` : 'not proven yet'), { class: p.id ? 'id' : 'id small' }),
          el('td', p.edge ? 'edge' : '–'),
          el('td', p.active ? 'yes' : 'no'),
          el('td', ago(p.lastSeen, now)),
          el('td', typeof p.reliability === 'number' ? p.reliability.toFixed(2) : '–', { class: 'num' }),
          el('td', typeof p.rttMs === 'number' ? `${p.rttMs.toFixed(1)} ms` : '–', { class: 'num' }),
        );
        return tr;
      }),
    );
    this.onCount(rows.length, rows.filter((p) => p.active).length);
  }
}
