/**
 * The peer table's address and key caps against real, distinct addresses
 * (docs/protocol.md §7, "What a node refuses"): loopback is exempt from
 * the address caps, so this test makes its own hosts. As root it creates
 * two network namespaces joined to a bridge (10.213.0.0/16, no default
 * route, removed at the end): in one, attackers answering their
 * challenges properly from 41 addresses (80 keys from 40 addresses of one
 * /24, and one key from 20 ports of another address); in the other, a
 * newcomer joining through the node under attack. Skipped, with one line,
 * where namespaces cannot be made.
 */
import { expect } from 'chai';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dave } from '../../lib/node/dave.js';

const TAG = `dv${process.pid % 100000}`;
const NS_A = `${TAG}a`;
const NS_B = `${TAG}b`;
const BR = `${TAG}br`;
const TIMINGS = { pingMs: 300, activateAfterMs: 600, deactivateAfterMs: 1_500, dropAfterMs: 6_000 };
const lib = (p: string) => fileURLToPath(new URL(`../../lib/${p}`, import.meta.url));

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

function setUp(): void {
  ip('link', 'add', BR, 'type', 'bridge');
  ip('addr', 'add', '10.213.0.1/16', 'dev', BR);
  ip('link', 'set', BR, 'up');
  for (const [ns, addrs] of [
    [NS_A, [...Array.from({ length: 40 }, (_, i) => `10.213.1.${i + 1}`), '10.213.3.1']],
    [NS_B, ['10.213.2.1']],
  ] as const) {
    ip('netns', 'add', ns);
    ip('link', 'add', `${ns}h`, 'type', 'veth', 'peer', 'name', `${ns}n`);
    ip('link', 'set', `${ns}h`, 'master', BR);
    ip('link', 'set', `${ns}h`, 'up');
    ip('link', 'set', `${ns}n`, 'netns', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    for (const a of addrs) ip('-n', ns, 'addr', 'add', `${a}/16`, 'dev', `${ns}n`);
    ip('-n', ns, 'link', 'set', `${ns}n`, 'up');
  }
}

function tearDown(): void {
  for (const cmd of [['netns', 'del', NS_A], ['netns', 'del', NS_B], ['link', 'del', BR]]) {
    try {
      ip(...cmd);
    } catch {
      // not made, or already gone
    }
  }
}

/** The attackers: each socket PINGs the target and answers its challenges with its key. */
const ATTACKERS = (target: string, port: number, seconds: number) => `
import dgram from 'node:dgram';
const { signingKey, sign } = await import(${JSON.stringify(lib('crypto/ed25519.js'))});
const { blake3, ready } = await import(${JSON.stringify(lib('crypto/hash.js'))});
const { encodeMessage, decodeMessage } = await import(${JSON.stringify(lib('wire/message.js'))});
await ready();
const ping = encodeMessage({ op: 0, challenge: new Uint8Array(32).fill(1), usedSpace: 0n, capacity: 0n });
const sockets = [];
const open = (addr, port, key) => {
  const s = dgram.createSocket('udp4');
  s.on('message', (buf) => {
    let m; try { m = decodeMessage(new Uint8Array(buf)); } catch { return; }
    if (m.op !== 0) return;
    const salt = new Uint8Array(16).fill(port & 255);
    s.send(encodeMessage({ op: 1, peers: [], solution: { challenge: m.challenge, salt, pubKey: key.publicKey, sig: sign(key, blake3(m.challenge, salt)) } }), ${port}, ${JSON.stringify(target)});
  });
  s.bind(port, addr);
  sockets.push(s);
};
let n = 0;
for (let i = 1; i <= 40; i++) for (const p of [5000, 5001]) open('10.213.1.' + i, p, signingKey(new Uint8Array(32).fill(++n)));
const one = signingKey(new Uint8Array(32).fill(200));
for (let p = 6000; p < 6020; p++) open('10.213.3.1', p, one);
const t = setInterval(() => { for (const s of sockets) s.send(ping, ${port}, ${JSON.stringify(target)}); }, 200);
setTimeout(() => { clearInterval(t); for (const s of sockets) s.close(); }, ${seconds * 1000});
`;

/** The newcomer: a node joining through the target; prints ACTIVE <ms> when it has an active peer. */
const NEWCOMER = (edge: string, seconds: number) => `
const { Dave } = await import(${JSON.stringify(lib('node/dave.js'))});
const t0 = Date.now();
const node = await Dave.open({ listen: '10.213.2.1:0', edges: [${JSON.stringify(edge)}], timings: ${JSON.stringify(TIMINGS)}, verifyWorkers: 0 });
console.log('ID ' + node.id.toString());
node.waitForActivePeers(1).then(() => console.log('ACTIVE ' + (Date.now() - t0)));
setTimeout(() => node.close(), ${seconds * 1000});
`;

function run(ns: string, code: string): { child: ChildProcess; out: string[] } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  return { child, out };
}

describe('node: the peer table against real addresses (network namespaces)', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  let node: Dave | null = null;

  before(function () {
    try {
      tearDown();
      setUp();
    } catch (err) {
      tearDown();
      console.log(`      (skipped: cannot make network namespaces here: ${(err as Error).message.split('\n')[0]})`);
      this.skip();
    }
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await node?.close();
    tearDown();
  });

  it('caps one /24 at 32, one key at one entry; a newcomer from elsewhere is active within a few PING periods', async () => {
    node = await Dave.open({ listen: '10.213.0.1:0', timings: TIMINGS, verifyWorkers: 0 });
    const port = Number(node.address().split(':').pop());
    const a = run(NS_A, ATTACKERS('10.213.0.1', port, 12));
    children.push(a.child);
    await new Promise((r) => setTimeout(r, 3_000));
    const b = run(NS_B, NEWCOMER(node.address(), 10));
    children.push(b.child);
    for (let i = 0; i < 100 && !b.out.some((l) => l.startsWith('ACTIVE')); i++) await new Promise((r) => setTimeout(r, 100));
    const active = b.out.find((l) => l.startsWith('ACTIVE'));
    expect(active, `the newcomer's output: ${b.out.join(' | ')}`).to.not.equal(undefined);
    expect(Number(active!.split(' ')[1]), 'ms until the newcomer had an active peer').to.be.below(10 * TIMINGS.pingMs);
    await new Promise((r) => setTimeout(r, 1_500));
    const peers = node.peers();
    const inPrefix = peers.filter((p) => p.address.startsWith('10.213.1.'));
    const oneKey = peers.filter((p) => p.address.startsWith('10.213.3.1:') && p.id !== 0n);
    const newcomerId = BigInt(b.out.find((l) => l.startsWith('ID '))!.split(' ')[1]!);
    expect(inPrefix.length, 'entries from the attackers\' /24 (80 keys try)').to.equal(32);
    expect(oneKey, 'entries holding the one key').to.have.length(1);
    expect(peers.some((p) => p.id === newcomerId && p.active), 'the newcomer is an active peer').to.equal(true);
    expect(node.stats().peersRefused).to.be.greaterThan(0);
  });
});
