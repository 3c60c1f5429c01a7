/** lib/cli/format.ts peersText: a refused peer (a ticket's key mismatch) says so, and why, under the table. */
import { expect } from 'chai';
import { peersText } from '../../lib/cli/format.js';

describe('cli: peers text', () => {
  it('shows a refused edge as refused, with the reason under the table', () => {
    const text = peersText([
      { address: '10.0.0.1:1618', id: null, edge: true, active: false, lastSeen: '2026-12-02T06:00:00.000Z', reliability: 0.5, rttMs: null, refused: 'ticket key mismatch: the ticket says aa, the node at this address proved bb' },
      { address: '10.0.0.2:1618', id: '0123456789abcdef', edge: false, active: true, lastSeen: '2026-12-02T06:00:01.000Z', reliability: 0.5, rttMs: 1 },
    ]);
    const lines = text.split('\n');
    expect(lines[1]).to.match(/^10\.0\.0\.1:1618\s+\(unproven\)\s+edge\s+refused\s+2026/);
    expect(lines[2]).to.match(/active/);
    expect(lines[3]).to.equal('10.0.0.1:1618 refused: ticket key mismatch: the ticket says aa, the node at this address proved bb');
  });
});
