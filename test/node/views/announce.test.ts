/** What the node says on its own (lib/node/views/announce.ts): each line once, the status at most once a minute. */
import { expect } from 'chai';
import { Announcer, STATUS_EVERY_MS } from '../../../lib/node/views/announce.js';
import { Dave } from '../../../lib/node/dave.js';
import type { Logger } from '../../../lib/node/options.js';

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (...a: unknown[]) => lines.push(`${level} ${a.map(String).join(' ')}`);
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const STATUS = { active: 1, peers: 2, records: 3, usedSpace: 4, capacity: 5 };

describe('node: announce', () => {
  it('warns once about an edge silent for 3 ping periods, and says when it answers again', () => {
    const { log, lines } = recorder();
    const a = new Announcer(log, 1000, 0);
    const edge = { address: '127.0.0.1:1618', solved: 0 };
    for (let t = 0; t <= 10_000; t += 1000) a.tick(t, [edge], () => STATUS);
    const warns = lines.filter((l) => l.startsWith('warn'));
    expect(warns).to.have.length(1);
    expect(warns[0]).to.include('edge 127.0.0.1:1618 has not answered for 3 s');
    a.tick(11_000, [{ ...edge, solved: 11_000 }], () => STATUS);
    expect(lines.at(-1)).to.equal('info dave: edge 127.0.0.1:1618 answers again');
  });

  it('says the first ready peer once', () => {
    const { log, lines } = recorder();
    const a = new Announcer(log, 1000, 0);
    a.ready(0, () => undefined);
    a.ready(1, () => '127.0.0.1:1618');
    a.ready(2, () => '127.0.0.1:1618');
    expect(lines).to.deep.equal(['info dave: first peer active: 127.0.0.1:1618; reads and writes can reach the network']);
  });

  it('writes the status line at most once a minute', () => {
    const { log, lines } = recorder();
    const a = new Announcer(log, 1000, 0);
    for (let t = 0; t <= 3 * STATUS_EVERY_MS; t += 1000) a.tick(t, [], () => STATUS);
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal('info dave: status: 1 active of 2 peers; 3 records, 4 B of 5 B');
  });

  it('writes sizes in the status line as a person reads them (KiB, GiB), as the banner does', () => {
    const { log, lines } = recorder();
    const a = new Announcer(log, 1000, 0);
    a.tick(STATUS_EVERY_MS, [], () => ({ ...STATUS, usedSpace: 2831, capacity: 1073741824 }));
    expect(lines).to.deep.equal(['info dave: status: 1 active of 2 peers; 3 records, 2.76 KiB of 1.00 GiB']);
  });

  it('names the address family as the likely cause when a silent edge is of a family the node cannot reach', () => {
    const { log, lines } = recorder();
    const a = new Announcer(log, 1000, 0);
    const edge = { address: '127.0.0.1:1618', solved: 0, familyMismatch: 'is IPv4 and this node listens on [::1]:5000, IPv6 only' };
    for (let t = 0; t <= 4000; t += 1000) a.tick(t, [edge], () => STATUS);
    expect(lines.filter((l) => l.startsWith('warn'))).to.deep.equal([
      'warn dave: edge 127.0.0.1:1618 has not answered for 3 s (3 pings): likely cause: it is IPv4 and this node listens on [::1]:5000, IPv6 only',
    ]);
  });

  it('a node says on open how many records it loaded and how long the open took', async () => {
    const { log, lines } = recorder();
    const node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0, logger: log });
    await node.close();
    expect(lines[0]).to.match(/^info dave: node [0-9a-f]{16} listening on 127\.0\.0\.1:\d+ \(TCP port \d+\); 0 records loaded, opened in \d+ ms$/);
  });
});
