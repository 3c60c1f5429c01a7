/**
 * Conformance against a real godave v0.0.51 node (docs/interop.md): Go
 * nodes as child processes beside our nodes, on [::1] only. Each network
 * is started once, all of them at the same time by the root before hook
 * (godave activates a peer only after seconds); each group awaits its own.
 * Without the binary the suite is skipped with one line saying why, except
 * under CI=true, where that is a failure.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { MAX_KV_LEN } from '../../lib/constants.js';
import { publicKeyFromSeed } from '../../lib/crypto/ed25519.js';
import { Store } from '../../lib/store/store.js';
import { nodeId, verifyDat } from '../../lib/records/record.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { chooseReplicas } from '../../lib/node/replication/rules.js';
import type { Dave } from '../../lib/node/dave.js';
import { isDaveError } from '../../lib/errors.js';
import { toHex } from '../../lib/wire/bytes.js';
import type { Dat } from '../../lib/wire/dat.js';
import { STORE_WAIT_MS } from '../../lib/node/reads/remote.js';
import { dbcli } from '../cli/helpers.js';
import { random, seededBytes } from '../support/seed.js';
import { GO_WRITER_SEED, GoNode, freePortPair, goNodeMissing, killAll, runGoNode, seedOf } from './godave.js';
import { JunkProxy } from './junk-proxy.js';
import { Resources, allActive, goReaderReady, reach } from './networks.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const pub = (seed: number) => publicKeyFromSeed(seedOf(seed));
const pubHex = (seed: number) => toHex(pub(seed));
/** Record i of `godave-node backup F N`: owner seed 21 + i % 5, key-i, value-i. */
const backupOwner = (i: number) => 21 + (i % 5);
const ACTIVE_MS = 30_000;
/** A largest record: key + value = MAX_KV_LEN (1224) bytes, the most one PUT or GET_ACK carries. */
const MAX_KEY = 'largest';
const MAX_VALUE = 'x'.repeat(MAX_KV_LEN - MAX_KEY.length);

/** Starts the promise now; a rejection is seen by whoever awaits it later, never unhandled. */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** A read by our node that must fail: its error code. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return isDaveError(err) ? err.code : String(err);
  }
  return 'resolved';
}

const missing = goNodeMissing();

describe('interop: our node beside a real godave v0.0.51 node', function () {
  this.timeout(60_000);
  const res = new Resources();
  const proxies: JunkProxy[] = [];

  // --- the networks, started together in the root before hook ---

  /**
   * A: a Go node holding 20 backup records and a second Go node; the second
   * writes a largest-size record; then our newcomer joins with the first as edge.
   */
  async function networkA() {
    const file = join(res.tempDir(), 'a.backup');
    await runGoNode(['backup', file, '20']);
    const go = await GoNode.start({ seed: 1, backup: file });
    const go2 = await GoNode.start({ seed: 4, edges: [go.address] });
    await allActive([], [go, go2], 1, ACTIVE_MS);
    await go2.put(MAX_KEY, MAX_VALUE);
    const ours = await res.ourNode({ edges: [go.address] });
    await allActive([ours], [go, go2], 2, ACTIVE_MS);
    return { go, go2, ours };
  }

  /** B: backups. godave's backup of 1000 imported by dave-db, exported again; our node on it, a Go newcomer with it as edge. */
  async function networkB() {
    const dir = res.tempDir();
    const file = join(dir, 'godave.backup');
    const db = join(dir, 'db');
    const again = join(dir, 'exported.backup');
    await runGoNode(['backup', file, '1000']);
    const imported = await dbcli(['import', file, db]);
    const exported = await dbcli(['export', db, again]);
    const restore = (await runGoNode(['restore', again])).trim();
    const ours = await res.ourNode({ database: db });
    const go = await GoNode.start({ seed: 2, edges: [ours.address()] });
    await allActive([ours], [go], 1, ACTIVE_MS);
    await goReaderReady(go, pubHex(backupOwner(0)), 'key-0', 15_000);
    return { go, ours, imported, exported, restore };
  }

  /** C: our node holding 50 records, a Go node reaching it through a relay that adds junk. */
  async function networkC() {
    const dir = res.tempDir();
    const file = join(dir, 'c.backup');
    const db = join(dir, 'db');
    await runGoNode(['backup', file, '50']);
    const imported = await dbcli(['import', file, db]);
    if (imported.code !== 0) throw new Error(`dave-db import: ${imported.stderr}`);
    const store = await Store.open({ database: db, sync: false });
    await store.put({ dat: await createDat({ key: MAX_KEY, value: MAX_VALUE, privateKey: seedOf(99) }), replicas: [0n, 0n, 0n, 0n, 0n] });
    await store.close();
    const ours = await res.ourNode({ database: db });
    const proxy = await JunkProxy.start(Number(ours.address().split(':').pop()));
    proxies.push(proxy);
    const go = await GoNode.start({ seed: 3, edges: [proxy.address] });
    await allActive([ours], [go], 1, ACTIVE_MS);
    await goReaderReady(go, pubHex(backupOwner(0)), 'key-0', 15_000);
    return { go, ours, proxy };
  }

  /** D: discovery. Go g1, Go g2 (edge g1), ours o1 (edge g1), ours o2 (edge g2). */
  async function networkD() {
    const g1 = await GoNode.start({ seed: 11 });
    const g2 = await GoNode.start({ seed: 12, edges: [g1.address] });
    const o1 = await res.ourNode({ edges: [g1.address] });
    const o2 = await res.ourNode({ edges: [g2.address] });
    return { gos: [g1, g2], ours: [o1, o2] };
  }

  /** E: mixed, 3 Go and 3 ours, each of ours with one Go edge. */
  async function networkE() {
    const g1 = await GoNode.start({ seed: 21 });
    const g2 = await GoNode.start({ seed: 22, edges: [g1.address] });
    const g3 = await GoNode.start({ seed: 23, edges: [g1.address] });
    const gos = [g1, g2, g3];
    const ours: Dave[] = [];
    for (const g of gos) ours.push(await res.ourNode({ edges: [g.address] }));
    await allActive(ours, gos, 5, 45_000);
    return { gos, ours };
  }

  /** F: replication to a Go newcomer: two of ours hold records, then a Go node joins (edge: the first of ours). */
  async function networkF() {
    const o1 = await res.ourNode({});
    const o2 = await res.ourNode({ edges: [o1.address()] });
    await allActive([o1, o2], [], 1, ACTIVE_MS);
    const seed = seededBytes(32);
    const w = o1.batchWriter(publicKeyFromSeed(seed));
    const dats: Dat[] = [];
    for (let i = 0; i < 10; i++) {
      const dat = await createDat({ key: `moved-${i}`, value: `moved-value-${i}`, privateKey: seed });
      dats.push(dat);
      await w.write(dat);
    }
    await w.close();
    const go = await GoNode.start({ seed: 31, edges: [o1.address()] });
    await allActive([o1, o2], [go], 2, 45_000);
    return { go, ours: [o1, o2], seed, dats };
  }

  let A: ReturnType<typeof networkA>;
  let B: ReturnType<typeof networkB>;
  let C: ReturnType<typeof networkC>;
  let D: ReturnType<typeof networkD>;
  let E: ReturnType<typeof networkE>;
  let F: ReturnType<typeof networkF>;

  before(function () {
    if (missing) {
      if (process.env.CI === 'true') throw new Error(`interop suite cannot run: ${missing}; under CI=true that is a failure`);
      console.log(`  interop suite skipped: ${missing}`);
      this.skip();
    }
    A = early(networkA());
    B = early(networkB());
    C = early(networkC());
    D = early(networkD());
    E = early(networkE());
    F = early(networkF());
  });

  after(async function () {
    this.timeout(60_000);
    // end everything, let any network still starting fail fast, then end what it made meanwhile
    const end = async () => {
      for (const p of proxies.splice(0)) p.close();
      await killAll();
      await res.teardown();
    };
    await end();
    await Promise.allSettled([A, B, C, D, E, F].filter((n) => n !== undefined));
    await end();
  });

  describe('the godave-node wrapper', () => {
    it('starts godave on other ports when the ones it was given are taken (EADDRINUSE)', async () => {
      const taken = dgram.createSocket('udp6');
      await new Promise<void>((r) => taken.bind(0, '::1', () => r()));
      const picks = [taken.address().port];
      try {
        const g = await GoNode.start({ seed: 9 }, async () => picks.shift() ?? freePortPair());
        expect(g.port).to.not.equal(taken.address().port);
        expect(await g.activePeers()).to.equal(0);
      } finally {
        taken.close();
      }
    });
  });

  describe('a Go node as our edge (network A)', () => {
    it('authenticates and activates both ways: each counts the other active', async () => {
      const { go, go2, ours } = await A;
      expect(await go.activePeers()).to.equal(2);
      expect(ours.peers().find((p) => p.address === go2.address)?.active, 'the second Go node, found through a PONG list').to.equal(true);
      const peer = ours.peers().find((p) => p.address === go.address)!;
      expect(peer, 'the Go edge in our table').to.not.equal(undefined);
      expect(peer.active).to.equal(true);
      expect(peer.edge).to.equal(true);
      expect(go.publicKey).to.equal(pubHex(1));
      expect(ours.publicAddress(), 'told by the Go edge (GETMYADDRPORT_ACK)').to.equal(ours.address());
      // the used space and capacity godave's PINGs carry (nothing written since it started)
      const net = ours.networkUsedSpaceAndCapacity();
      expect(net.capacity).to.equal(3 * 2 ** 30);
      expect(net.usedSpace).to.equal(ours.usedSpace() + (await go.used()) + (await go2.used()));
      expect(peer.id, 'the Go key proven to us').to.not.equal(0n);
    });

    it('our newcomer reads, over UDP, records only the Go node holds', async () => {
      const { ours } = await A;
      for (const i of [0, 7, 13, 19]) {
        const e = await ours.get(pub(backupOwner(i)), `key-${i}`);
        expect(text(e.dat.value)).to.equal(`value-${i}`);
        expect(e.dat.time).to.equal(1732000000000 + i);
        verifyDat(e.dat, { now: Date.now() });
      }
    });

    it('our newcomer reads, over UDP, a largest record (key + value 1224 bytes) only Go nodes hold', async () => {
      const { ours } = await A;
      const e = await ours.get(pub(GO_WRITER_SEED), MAX_KEY);
      expect(text(e.dat.value)).to.equal(MAX_VALUE);
      verifyDat(e.dat, { now: Date.now() });
    });

    it('our read of a key nobody holds ends in ERR_NOT_FOUND, not ERR_TIMEOUT', async () => {
      const { ours } = await A;
      const t0 = Date.now();
      expect(await codeOf(ours.get(pub(21), 'no-such-key', { timeoutMs: 5_000 }))).to.equal('ERR_NOT_FOUND');
      expect(Date.now() - t0).to.be.below(4_000);
    });

    it("Go's batch writer to our node: we store every record, byte-exact, as the replicas say", async () => {
      const { go, ours } = await A;
      // the answers of the reads before are stored within STORE_WAIT_MS (node/reads/remote.ts): let them land first
      await new Promise((r) => setTimeout(r, 10 * STORE_WAIT_MS));
      const usedBefore = ours.usedSpace();
      await go.put('from-go', 'go-value', 40);
      // stored here by the writer (before any read could fetch them): 40 × (key + value + 224)
      const bytes = [...Array(40).keys()].reduce((n, i) => n + `from-go-${i}`.length + 'go-value'.length + 224, 0);
      expect((await reach(() => ours.usedSpace(), usedBefore + bytes, 15_000)) - usedBefore).to.equal(bytes);
      const writer = pub(GO_WRITER_SEED);
      for (let i = 0; i < 40; i++) {
        const e = await ours.get(writer, `from-go-${i}`, { timeoutMs: 3_000 });
        expect(text(e.dat.value)).to.equal('go-value');
        expect(e.dat.pubKey).to.deep.equal(writer);
        verifyDat(e.dat, { now: Date.now() }); // the signature covers the exact bytes
        expect(e.replicas).to.include(ours.id);
      }
    });

    it('our batch writer to the Go node: it stores them (used space) and serves them', async () => {
      const { go, ours } = await A;
      const seed = seededBytes(32);
      const usedBefore = await go.used();
      const w = ours.batchWriter(publicKeyFromSeed(seed));
      let bytes = 0;
      for (let i = 0; i < 40; i++) {
        const dat = await createDat({ key: `from-ours-${i}`, value: `our-value-${i}`, privateKey: seed });
        bytes += dat.key.length + dat.value.length + 224;
        await w.write(dat);
      }
      await w.write(await createDat({ key: MAX_KEY, value: MAX_VALUE, privateKey: seed })); // a largest frame
      bytes += MAX_KV_LEN + 224;
      await w.close();
      expect((await reach(() => go.used(), usedBefore + bytes, 15_000)) - usedBefore).to.equal(bytes);
      const owner = toHex(publicKeyFromSeed(seed));
      for (const i of [0, 17, 39]) {
        expect(await go.get(owner, `from-ours-${i}`)).to.deep.equal({ ok: true, text: `our-value-${i}` });
      }
      expect(await go.get(owner, MAX_KEY)).to.deep.equal({ ok: true, text: MAX_VALUE });
    });
  });

  describe('our node as a Go node\'s edge; backups (network B)', () => {
    it('authenticates and activates both ways, and tells the Go node its address', async () => {
      const { go, ours } = await B;
      expect(await go.activePeers()).to.equal(1);
      const peer = ours.peers().find((p) => p.address === go.address)!;
      expect(peer.active).to.equal(true);
      expect(peer.id).to.not.equal(0n);
      // godave asks its edge for its address once, before its first PING; we answer it
      expect(ours.stats().packetsIn.GETMYADDRPORT).to.be.at.least(1);
      expect(ours.stats().packetsOut.GETMYADDRPORT_ACK).to.be.at.least(1);
    });

    it('dave-db imports a godave backup of 1000 records, and its export restores in godave with all 1000', async () => {
      const { imported, exported, restore, ours } = await B;
      expect(imported.code, imported.stderr).to.equal(0);
      expect(exported.code, exported.stderr).to.equal(0);
      expect(restore).to.match(/^RESTORE entries 1000 used \d+ seconds [\d.]+ err -$/);
      expect(Number(restore.split(' ')[4])).to.equal(ours.usedSpace());
    });

    it('a Go newcomer reads, over UDP, imported records only our node holds', async () => {
      const { go } = await B;
      for (const i of [1, 99, 500, 998, 999]) {
        expect(await go.get(pubHex(backupOwner(i)), `key-${i}`)).to.deep.equal({ ok: true, text: `value-${i}` });
      }
    });

    it("a Go read of a key nobody holds ends in godave's not-found at once, not its timeout", async () => {
      const { go } = await B;
      const t0 = Date.now();
      const r = await go.get(pubHex(21), 'no-such-key', 5_000);
      expect(r.ok).to.equal(false);
      expect(r.text).to.match(/not.found/i);
      expect(Date.now() - t0).to.be.below(4_000);
    });
  });

  describe('robustness at the boundary (network C)', () => {
    it("keeps serving a Go peer whose datagrams come interleaved with malformed ones from its address", async () => {
      const { go, ours, proxy } = await C;
      const malformedBefore = ours.stats().malformed;
      for (let i = 0; i < 50; i += 7) {
        expect(await go.get(pubHex(backupOwner(i)), `key-${i}`)).to.deep.equal({ ok: true, text: `value-${i}` });
      }
      expect(proxy.junkSent).to.be.above(10);
      expect(ours.stats().malformed - malformedBefore).to.be.above(0);
      expect(ours.stats().malformed).to.be.at.least(proxy.junkSent / 2);
      expect(await go.activePeers()).to.equal(1);
      expect(ours.activePeerCount()).to.equal(1);
    });
  });

  describe('the largest record, Go reading from us (network C)', () => {
    it('a Go node reads, over UDP, a largest record (key + value 1224 bytes) only our node holds', async () => {
      const { go } = await C;
      expect(await go.get(pubHex(99), MAX_KEY)).to.deep.equal({ ok: true, text: MAX_VALUE });
    });
  });

  describe('replication to a Go node (network F)', () => {
    it('our replication pass sends a Go newcomer the records it is now a replica of, as ordinary PUTs it stores and serves', async () => {
      const { go, ours, seed, dats } = await F;
      const before = await go.used();
      // both of ours hold every record and are its senders (replication/rules isSender): one copy
      // each, so the Go node also meets a duplicate PUT, which it must take as the same record
      expect(await ours[0]!.replicate()).to.equal(dats.length);
      expect(await ours[1]!.replicate()).to.equal(dats.length);
      const bytes = dats.reduce((n, d) => n + d.key.length + d.value.length + 224, 0);
      expect((await reach(() => go.used(), before + bytes, 15_000)) - before).to.equal(bytes);
      for (const o of ours) expect(o.stats().packetsOut.PUT).to.be.at.least(dats.length);
      const owner = toHex(publicKeyFromSeed(seed));
      for (const i of [0, 5, 9]) expect(await go.get(owner, `moved-${i}`)).to.deep.equal({ ok: true, text: `moved-value-${i}` });
      // the lists our nodes keep now name the Go node
      const goId = nodeId(go.publicKeyBytes);
      for (const o of ours) expect((await o.get(publicKeyFromSeed(seed), 'moved-3')).replicas).to.include(goId);
    });
  });

  describe('discovery (network D)', () => {
    it('2 Go and 2 of ours, each of ours knowing one Go edge: every node ends with every other active', async () => {
      const { gos, ours } = await D;
      await allActive(ours, gos, 3, 40_000);
      for (const o of ours) expect(o.peers().filter((p) => p.active && p.id !== 0n)).to.have.length(3);
    });
  });

  describe('a mixed network of 3 Go and 3 of our nodes (network E)', () => {
    it('300 records by a Go writer, 300 by ours: every node reads 100 at random, all succeed', async () => {
      const { gos, ours } = await E;
      const total = () => Promise.all([...gos.map((g) => g.used()), ...ours.map(async (o) => o.usedSpace())]).then((u) => u.reduce((a, b) => a + b, 0));
      const before = await total();
      // a writer stores every record itself and sends it to the FANOUT (5) closest of all
      // 6 nodes: 5 copies, or 6 when the writer is not among those 5 (docs/protocol.md §10, as godave)
      const copies = (writer: bigint, owner: Uint8Array) => {
        const ids = [...gos.map((g) => nodeId(g.publicKeyBytes)), ...ours.map((o) => o.id)];
        return chooseReplicas(nodeId(owner), ids).includes(writer) ? 5 : 6;
      };
      let bytes = 0;
      await gos[0]!.put('mixed-go', 'mixed-go-value', 300);
      const goCopies = copies(nodeId(gos[0]!.publicKeyBytes), pub(GO_WRITER_SEED));
      for (let i = 0; i < 300; i++) bytes += goCopies * (`mixed-go-${i}`.length + 'mixed-go-value'.length + 224);
      const seeds = [0, 1, 2].map(() => seededBytes(32));
      for (let s = 0; s < 3; s++) {
        const w = ours[0]!.batchWriter(publicKeyFromSeed(seeds[s]!));
        const n = copies(ours[0]!.id, publicKeyFromSeed(seeds[s]!));
        expect(w.replicas, 'our writer chooses as the rule says').to.deep.equal(chooseReplicas(nodeId(publicKeyFromSeed(seeds[s]!)), [...gos.map((g) => nodeId(g.publicKeyBytes)), ...ours.map((o) => o.id)]));
        for (let i = 0; i < 100; i++) {
          const dat = await createDat({ key: `mixed-ours-${s * 100 + i}`, value: `mixed-ours-value-${s * 100 + i}`, privateKey: seeds[s]! });
          bytes += n * (dat.key.length + dat.value.length + 224);
          await w.write(dat);
        }
        await w.close();
      }
      // every copy stored, before any read
      expect((await reach(total, before + bytes, 20_000)) - before).to.equal(bytes);

      type Rec = { owner: Uint8Array; key: string; value: string };
      const all: Rec[] = [];
      for (let i = 0; i < 300; i++) all.push({ owner: pub(GO_WRITER_SEED), key: `mixed-go-${i}`, value: 'mixed-go-value' });
      for (let i = 0; i < 300; i++) all.push({ owner: publicKeyFromSeed(seeds[Math.floor(i / 100)]!), key: `mixed-ours-${i}`, value: `mixed-ours-value-${i}` });
      const pick = () => Array.from({ length: 100 }, () => all[Math.floor(random() * all.length)]!);

      let remote = 0;
      const failures: string[] = [];
      await Promise.all([
        ...ours.map(async (o) => {
          for (const r of pick()) {
            const held = o.usedSpace();
            try {
              const e = await o.get(r.owner, r.key, { timeoutMs: 5_000 });
              if (text(e.dat.value) !== r.value) failures.push(`ours ${o.address()} ${r.key}: ${text(e.dat.value)}`);
              if (o.usedSpace() > held) remote++;
            } catch (err) {
              failures.push(`ours ${o.address()} ${r.key}: ${String(err)}`);
            }
          }
        }),
        ...gos.map(async (g) => {
          for (const r of pick()) {
            const used = await g.used();
            const got = await g.get(toHex(r.owner), r.key, 5_000);
            if (!got.ok || got.text !== r.value) failures.push(`go ${g.address} ${r.key}: ${got.text}`);
            else if ((await g.used()) > used) remote++;
          }
        }),
      ]);
      expect(failures, failures.slice(0, 5).join('; ')).to.deep.equal([]);
      // with 6 nodes and 5 replicas per owner, some node lacks each owner's records
      expect(remote, 'reads served by another node').to.be.above(0);
    });
  });
});
