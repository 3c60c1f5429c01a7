/**
 * Edges at start and at run time (lib/node/edges.ts, lib/peers/family.ts):
 * addEdge joins a running node with the checks options.edges get (an
 * address or a ticket, of a family the node reaches); waitForActivePeers
 * takes a timeout whose error names the silent edge and, for the other
 * family, says so; a node given no logger prints warnings; debug lines
 * tell each peer change and each GET and PUT served. What is protocol
 * runs on the simulator's virtual clock; on real sockets stays what needs
 * them (IPv6 and dual-stack binds, real timers, a child's stderr).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Dave } from '../../../lib/node/dave.js';
import type { Logger } from '../../../lib/node/options.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import { isDaveError } from '../../../lib/errors.js';
import { encodeTicket } from '../../../lib/wire/ticket.js';
import { parseAddress } from '../../../lib/wire/address.js';
import { canReach, familyMismatch } from '../../../lib/peers/family.js';
import { MAX_EDGES } from '../../../lib/node/peers/edges.js';
import { FAST, clusterFixture, until } from '../support/cluster.js';
import { Simulation } from '../../../lib/sim/index.js';

const run = promisify(execFile);

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (...a: unknown[]) => lines.push(`${level} ${a.map(String).join(' ')}`);
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A loopback UDP port nothing listens on: a node bound there and closed. */
async function deadAddress(listen = '127.0.0.1:0'): Promise<string> {
  const n = await Dave.open({ listen, verifyWorkers: 0 });
  const a = n.address();
  await n.close();
  return a;
}

describe('node: edges, on real sockets', function () {
  this.timeout(20_000);
  const { cluster } = clusterFixture();

  // no socket at all: the family rules as pure functions
  it('families: [::] reaches both, an IPv4 bind only IPv4, a specific IPv6 bind only IPv6', () => {
    const v4 = parseAddress('127.0.0.1:1');
    const v6 = parseAddress('[::1]:1');
    expect(canReach(parseAddress('[::]:0'), v4) && canReach(parseAddress('[::]:0'), v6)).to.equal(true);
    expect([canReach(parseAddress('127.0.0.1:0'), v4), canReach(parseAddress('127.0.0.1:0'), v6)]).to.deep.equal([true, false]);
    expect([canReach(parseAddress('[::1]:0'), v4), canReach(parseAddress('[::1]:0'), v6)]).to.deep.equal([false, true]);
    expect(familyMismatch(parseAddress('[::1]:5'), v4)).to.match(/^is IPv4 and this node listens on \[::1\]:5, IPv6 only/);
  });

  // real sockets: an IPv6 loopback bind ([::1]); the simulator's hosts are IPv4
  it('addEdge refuses what options.edges refuse, with a clear code; nothing is added', async () => {
    const v6 = await cluster.open({ listen: '[::1]:0' });
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    const wrongFamily = err(() => v6.addEdge('127.0.0.1:1618'));
    expect(isDaveError(wrongFamily, 'ERR_BAD_ADDRESS'), String(wrongFamily)).to.equal(true);
    expect(String((wrongFamily as Error).message)).to.include('is IPv4 and this node listens on [::1]');
    expect(isDaveError(err(() => v6.addEdge('not an address')), 'ERR_BAD_ADDRESS')).to.equal(true);
    expect(isDaveError(err(() => v6.addEdge('daveXXXXdamaged')), 'ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(isDaveError(err(() => v6.addEdge(42 as unknown as string)), 'ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(v6.peers()).to.have.length(0);
    // Dave.open checks its edges the same way, before anything is opened
    const atOpen = await Dave.open({ listen: '[::1]:0', edges: ['127.0.0.1:1618'], verifyWorkers: 0 }).catch((e: unknown) => e);
    expect(isDaveError(atOpen, 'ERR_BAD_ADDRESS'), String(atOpen)).to.equal(true);
    expect((atOpen as Error).message).to.match(/^edges: 127\.0\.0\.1:1618 is IPv4/);
    await v6.close();
    expect(isDaveError(err(() => v6.addEdge('127.0.0.1:1')), 'ERR_CLOSED')).to.equal(true);
  });

  // real timers: an uncleared global timer would keep the process alive or reject late (the virtual clock has neither)
  it('a wait that succeeds clears its timer (no late rejection, the process can exit)', async () => {
    const a = await cluster.open();
    const b = await cluster.open({ edges: [a.address()] });
    await b.waitForActivePeers(1, { timeoutMs: 400 });
    await new Promise((r) => setTimeout(r, 500)); // an uncleared timer would reject into nothing; mocha would see it
  });

  // real sockets: a dual-stack [::] bind and an IPv6 edge, the OS's behaviour
  it('a silent edge of a family the node reaches gets the generic hint, not the family (dual-stack node, IPv6 edge)', async () => {
    const { log, lines } = recorder();
    const dead6 = await deadAddress('[::1]:0');
    await cluster.open({ listen: '[::]:0', edges: [dead6], logger: log });
    await until(() => lines.some((l) => l.startsWith('warn')), 5_000, 'the silent-edge warning');
    expect(lines.find((l) => l.startsWith('warn'))).to.include(`edge ${dead6} has not answered`).and.include('check the address');
  });

  // a child process: what a node prints on its real stderr when given no logger
  it('a node given no logger prints its warnings on stderr (a silent edge), and nothing at info', async () => {
    const dead = await deadAddress();
    const script = `
      import { Dave } from ${JSON.stringify(new URL('../../../lib/index.js', import.meta.url).href)};
      const node = await Dave.open({ listen: '127.0.0.1:0', edges: [${JSON.stringify(dead)}], verifyWorkers: 0, timings: { pingMs: 50, activateAfterMs: 200, deactivateAfterMs: 300, dropAfterMs: 1000 } });
      await new Promise((r) => setTimeout(r, 600));
      await node.close();`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000, cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(stdout).to.equal('');
    expect(stderr).to.include(`dave: edge ${dead} has not answered`);
    expect(stderr).to.not.include('listening on'); // the open is info
  });

  // real sockets: the debug lines name loopback addresses and a real TCP PUT (not yet moved to the simulator)
  it('debug lines: peer added, proved, active and dropped; GET served; PUT stored, each in one line', async () => {
    const { log, lines } = recorder();
    const a = await cluster.open({ logger: log });
    const b = await cluster.open({ edges: [a.address()] });
    await b.waitForActivePeers(1, { timeoutMs: 5_000 });
    await until(() => a.activePeerCount() > 0, 5_000, 'a sees b');
    const owner = crypto.getRandomValues(new Uint8Array(32));
    const dat = await createDat({ key: 'greeting', value: 'hello', privateKey: owner });
    await b.put(dat);
    await until(() => lines.some((l) => l.includes('PUT stored')), 5_000, 'the PUT line');
    await b.get(dat.pubKey, 'nothing-here', { timeoutMs: 2_000 }).catch(() => {});
    await until(() => lines.some((l) => l.includes('GET served')), 5_000, 'the GET line');
    const bAddr = b.address();
    await b.close();
    await until(() => lines.some((l) => l.includes('peer dropped')), 5_000, 'the drop line');
    const debug = lines.filter((l) => l.startsWith('debug'));
    expect(debug).to.include(`debug dave: peer added ${bAddr} (it pinged us)`);
    expect(debug.some((l) => l.startsWith(`debug dave: peer ${bAddr} proved its key (ID `))).to.equal(true);
    expect(debug.some((l) => l.startsWith(`debug dave: peer ${bAddr}`) && l.endsWith('active'))).to.equal(true);
    const owner8 = Buffer.from(dat.pubKey.subarray(0, 8)).toString('hex');
    expect(debug).to.include(`debug dave: PUT stored: ${owner8}/"greeting"`);
    expect(debug).to.include(`debug dave: GET served to ${bAddr}: ${owner8}/"nothing-here" not found`);
    expect(debug.some((l) => /^debug dave: peer dropped 127\.0\.0\.1:\d+ \(silent for \d+ s\)$/.test(l))).to.equal(true);
    expect(FAST.dropAfterMs).to.equal(1_000); // the drop above came within the bounded wait because of this
  });
});

describe('node: edges, on the virtual clock', function () {
  this.timeout(30_000);
  let sim: Simulation;
  beforeEach(() => (sim = new Simulation({ seed: 41 })));
  afterEach(() => sim.close());

  it('addEdge joins a running node with an address: pinged at once, ready well within a ping period or two', async () => {
    const a = await sim.addNode();
    // a slow period: the join must not wait for it
    const b = await sim.addNode({ edges: [], dave: { timings: { pingMs: 5_000 } } });
    expect(b.dave.addEdge(a.address)).to.deep.equal([a.address]);
    const started = sim.elapsed;
    await sim.drive(b.dave.waitForActivePeers(1, { timeoutMs: 8_000 }), 10_000);
    expect(b.dave.peers().find((p) => p.address === a.address)?.edge).to.equal(true);
    expect(sim.elapsed - started, 'virtual ms to ready').to.be.lessThan(5_000);
    // the same edge again changes nothing
    expect(b.dave.addEdge(a.address)).to.deep.equal([a.address]);
    expect(b.dave.peers().filter((p) => p.address === a.address)).to.have.length(1);
  });

  it('addEdge takes a join ticket, and only the addresses of a family the node reaches', async () => {
    const a = await sim.addNode();
    const b = await sim.addNode({ edges: [] });
    const ticket = encodeTicket({ publicKey: a.dave.publicKey, addresses: [parseAddress('[::1]:9'), parseAddress(a.address)] });
    expect(b.dave.addEdge(ticket)).to.deep.equal([a.address]);
    await sim.drive(b.dave.waitForActivePeers(1, { timeoutMs: 15_000 }), 20_000);
  });

  it('addEdge stops at MAX_EDGES (edges are exempt from the table limits: a join loop must not grow it without bound)', async () => {
    const node = await sim.addNode({ dave: { timings: { pingMs: 60_000 } } });
    for (let i = 0; i < MAX_EDGES; i++) node.dave.addEdge(`198.18.0.1:${20_000 + i}`);
    expect(node.dave.addEdge('198.18.0.1:20000')).to.deep.equal(['198.18.0.1:20000']); // a known one is no new edge
    let err: unknown;
    try {
      node.dave.addEdge('198.18.0.1:30000');
    } catch (e) {
      err = e;
    }
    expect(isDaveError(err, 'ERR_INVALID_ARGUMENT'), String(err)).to.equal(true);
    await sim.run(120_000); // edges are kept for life, answered or not
    expect(node.dave.peers()).to.have.length(MAX_EDGES);
  });

  it('options.edges takes a ticket too', async () => {
    const a = await sim.addNode();
    const b = await sim.addNode({ edges: [encodeTicket({ publicKey: a.dave.publicKey, addresses: [parseAddress(a.address)] })] });
    await sim.drive(b.dave.waitForActivePeers(1, { timeoutMs: 15_000 }), 20_000);
  });

  it('a ticket\'s key is checked: a ticket naming another key, by addEdge or options.edges, is refused and shown', async () => {
    const a = await sim.addNode();
    const other = new Uint8Array(32).fill(7);
    const wrong = encodeTicket({ publicKey: other, addresses: [parseAddress(a.address)] });
    const b = await sim.addNode({ edges: [] });
    expect(b.dave.addEdge(wrong)).to.deep.equal([a.address]);
    const c = await sim.addNode({ edges: [wrong] });
    await sim.run(60_000); // past every window: never proved, never active
    for (const n of [b, c]) {
      expect(n.dave.stats().edgeKeyMismatches).to.be.greaterThan(0);
      const edge = n.dave.peers().find((p) => p.address === a.address)!;
      expect(edge.id, 'not proved').to.equal(0n);
      expect(edge.refused).to.contain('ticket key mismatch');
      expect(n.dave.activePeerCount()).to.equal(0);
    }
    // an address with the right publicKey joins
    const d = await sim.addNode({ edges: [] });
    d.dave.addEdge(a.address, { publicKey: a.dave.publicKey });
    await sim.drive(d.dave.waitForActivePeers(1, { timeoutMs: 15_000 }), 20_000);
  });

  it('a ticket with a different options.publicKey is refused, adding nothing; the same key is taken', async () => {
    const a = await sim.addNode();
    const b = await sim.addNode({ edges: [] });
    const ticket = encodeTicket({ publicKey: a.dave.publicKey, addresses: [parseAddress(a.address)] });
    let err: unknown;
    try {
      b.dave.addEdge(ticket, { publicKey: new Uint8Array(32).fill(9) });
    } catch (e) {
      err = e;
    }
    expect(isDaveError(err, 'ERR_INVALID_ARGUMENT'), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/different public key/);
    expect(b.dave.peers()).to.have.length(0);
    expect(b.dave.addEdge(ticket, { publicKey: Uint8Array.from(a.dave.publicKey) })).to.deep.equal([a.address]);
    await sim.drive(b.dave.waitForActivePeers(1, { timeoutMs: 15_000 }), 20_000);
  });

  it('waitForActivePeers({ timeoutMs }) rejects with ERR_TIMEOUT naming the edge that never answered', async () => {
    const dead = '203.0.113.99:1618'; // no host there
    const node = await sim.addNode({ edges: [dead] });
    const started = sim.elapsed;
    const err = await sim.drive(node.dave.waitForActivePeers(1, { timeoutMs: 300 })).catch((e: unknown) => e);
    expect(isDaveError(err, 'ERR_TIMEOUT'), String(err)).to.equal(true);
    expect((err as Error).message).to.equal(
      `0 of 1 peer ready after 300 ms: edge ${dead} never answered: is a node running there? check the address, the port (UDP) and the firewall`,
    );
    expect(sim.elapsed - started, 'virtual ms').to.be.within(300, 301);
    const lone = await sim.addNode({ edges: [] });
    const none = await sim.drive(lone.dave.waitForActivePeers(2, { timeoutMs: 0 })).catch((e: unknown) => e);
    expect((none as Error).message).to.match(/no edges/);
    const bad = await node.dave.waitForActivePeers(1, { timeoutMs: -1 }).catch((e: unknown) => e);
    expect(isDaveError(bad, 'ERR_INVALID_ARGUMENT')).to.equal(true);
  });
});
