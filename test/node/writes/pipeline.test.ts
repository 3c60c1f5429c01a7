/**
 * node/batch-writer, node/replication and node/ingest driven directly:
 * fake sinks, fake hosts, a scripted TCP stream. No sockets, no nodes.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { OP } from '../../../lib/constants.js';
import { DaveError } from '../../../lib/errors.js';
import { addrPort } from '../../../lib/wire/address.js';
import type { Dat } from '../../../lib/wire/dat.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { encodeFrame } from '../../../lib/wire/frame.js';
import { decodeMessage, encodeMessage } from '../../../lib/wire/message.js';
import { nodeId } from '../../../lib/records/record.js';
import type { Peer } from '../../../lib/peers/table.js';
import { Writer, type WriterHost } from '../../../lib/node/writes/batch-writer.js';
import type { FrameSink } from '../../../lib/node/writes/frame-sink.js';
import { readConnection } from '../../../lib/node/intake/tcp-reader.js';
import { silentLogger } from '../../../lib/node/options.js';
import { replicationPass } from '../../../lib/node/replication/pass.js';
import { chooseReplicas } from '../../../lib/node/replication/rules.js';
import { newStats } from '../../../lib/node/services/stats.js';
import { vectorDat } from '../../wire/fixtures.js';

/** A FrameSink stand-in that records what was pushed. */
class FakeSink {
  readonly pushed: Uint8Array[] = [];
  failed = false;
  closedByPeer = false;
  error: Error | null = null;
  ended = false;
  push(msg: Uint8Array): void {
    this.pushed.push(msg);
  }
  async ready(): Promise<void> {}
  async end(): Promise<void> {
    this.ended = true;
  }
}
const asSink = (s: FakeSink) => s as unknown as FrameSink;

function writerHost(verify: (d: Dat) => Promise<void> = async () => {}) {
  const stored: Entry[] = [];
  let sent = 0;
  const host: WriterHost = {
    verify,
    storeLocal: async (e) => void stored.push(e),
    sent: (n) => (sent += n),
    closeTimeoutMs: 100,
  };
  return { host, stored, sent: () => sent };
}

describe('node/batch-writer', () => {
  const dat = vectorDat();
  const replicas = [1n, 2n, 3n, 0n, 0n];

  it('verifies each record, stores it here and pushes one PUT to every replica', async () => {
    const { host, stored, sent } = writerHost();
    const sinks = [new FakeSink(), new FakeSink()];
    const w = new Writer(host, dat.pubKey, replicas, sinks.map((s) => async () => asSink(s)));
    await w.write(dat);
    await w.close();
    expect(stored.map((e) => e.replicas)).to.deep.equal([replicas]);
    for (const s of sinks) {
      expect(s.pushed).to.have.length(1);
      const m = decodeMessage(s.pushed[0]!);
      expect(m.op).to.equal(OP.PUT);
      expect(s.ended).to.equal(true);
    }
    expect(sent()).to.equal(2);
  });

  it('a record that fails verification is neither stored nor sent; close() rejects with its error as it is', async () => {
    const bug = new TypeError('a bug, not a bad record');
    let fail: unknown = new DaveError('ERR_BAD_SIGNATURE', 'signature invalid');
    const { host, stored } = writerHost(async () => {
      throw fail;
    });
    const sink = new FakeSink();
    const w = new Writer(host, dat.pubKey, replicas, [async () => asSink(sink)]);
    await w.write(dat);
    expect((await w.close().catch((e) => e)).code).to.equal('ERR_BAD_SIGNATURE');
    expect(stored).to.have.length(0);
    expect(sink.pushed).to.have.length(0);
    fail = bug;
    const w2 = new Writer(host, dat.pubKey, replicas, []);
    await w2.write(dat);
    expect(await w2.close().catch((e) => e)).to.equal(bug);
  });

  it('an unreachable replica does not stop the others; close() reports it with ERR_CONNECTION', async () => {
    const { host, stored } = writerHost();
    const ok = new FakeSink();
    const w = new Writer(host, dat.pubKey, replicas, [async () => new Error('ECONNREFUSED'), async () => asSink(ok)]);
    await w.write(dat);
    const err = await w.close().catch((e) => e);
    expect(err.code).to.equal('ERR_CONNECTION');
    expect(err.message).to.match(/1 of 2 .*ECONNREFUSED/);
    expect(ok.pushed).to.have.length(1);
    expect(stored).to.have.length(1);
  });

  it('refuses another owner\'s record and any write after close', async () => {
    const { host } = writerHost();
    const w = new Writer(host, dat.pubKey, replicas, []);
    const other = { ...dat, pubKey: new Uint8Array(32).fill(7) };
    expect((await w.write(other).catch((e) => e)).code).to.equal('ERR_INVALID_ARGUMENT');
    await w.close();
    expect((await w.write(dat).catch((e) => e)).code).to.equal('ERR_CLOSED');
  });
});

describe('node/replication', () => {
  const dat = vectorDat();
  const owner = nodeId(dat.pubKey);
  const peer = (id: bigint, port: number) => ({ id, addr: addrPort('10.0.0.1', port) }) as unknown as Peer;

  function host(self: bigint, entries: Entry[], peers: Peer[], open: (port: number) => Promise<FrameSink | Error>) {
    const stored: Entry[] = [];
    const counters = newStats();
    const h = {
      id: self,
      activeById: () => new Map(peers.map((p) => [p.id, p])),
      entries: async function* () {
        yield* entries;
      },
      storeEntry: async (e: Entry) => (stored.push(e), true),
      openSink: (a: { port: number }) => open(a.port),
      counters,
      timings: { connectTimeoutMs: 100 },
      log: silentLogger,
      closing: () => false,
    };
    return { h, stored, counters };
  }

  it('a non-leader stores the new replica list at once and sends nothing', async () => {
    const self = owner ^ 1n;
    const newcomer = peer(owner ^ 2n, 2);
    const leader = 2n ** 64n - 1n; // the largest old replica ID leads, and it is not us
    const { h, stored } = host(self, [{ dat, replicas: [self, leader, 0n, 0n, 0n] }], [newcomer], async () => {
      throw new Error('no connection expected');
    });
    expect(await replicationPass(h)).to.equal(1);
    expect(stored.map((e) => e.replicas)).to.deep.equal([chooseReplicas(owner, [self, newcomer.id])]);
  });

  it('the leader sends the entry to each new replica, then stores the new list', async () => {
    const self = owner ^ 0xffffn; // the largest of the old set: the leader
    const newcomer = peer(owner ^ 2n, 2);
    const sink = new FakeSink();
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [newcomer], async () => asSink(sink));
    expect(await replicationPass(h)).to.equal(1);
    expect(sink.pushed).to.have.length(1);
    expect(sink.ended).to.equal(true);
    const next = chooseReplicas(owner, [self, newcomer.id]);
    expect(stored.map((e) => e.replicas)).to.deep.equal([next]);
    expect(counters.packetsOut.PUT).to.equal(1);
  });

  it('the leader keeps the old list when a send failed, to try again next pass', async () => {
    const self = owner ^ 0xffffn;
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [peer(owner ^ 2n, 2)], async () => new Error('ECONNREFUSED'));
    expect(await replicationPass(h)).to.equal(1);
    expect(stored).to.have.length(0);
    expect(counters.replicationRetries).to.equal(1);
  });
});

describe('node/ingest: the TCP reader', () => {
  const entry: Entry = { dat: vectorDat(), replicas: [1n, 2n, 3n, 4n, 5n] };

  function reader() {
    const stream = new PassThrough();
    const got: Entry[] = [];
    const ops: number[] = [];
    const timers = new Map<number, () => void>();
    let next = 1;
    const counts = { malformed: 0, dropped: 0 };
    readConnection(stream, {
      ingest: async (e) => void got.push(e),
      setTimer: (fn) => (timers.set(next, fn), next++),
      clearTimer: (h) => void timers.delete(h as number),
      frameTimeoutMs: 1_000,
      onFrame: (op) => ops.push(op),
      onMalformed: () => counts.malformed++,
      onDropped: () => counts.dropped++,
    });
    const fire = () => [...timers.values()].forEach((fn) => fn());
    return { stream, got, ops, counts, timers, fire };
  }

  it('hands each PUT frame to ingest, counts every frame, ignores other messages', async () => {
    const r = reader();
    r.stream.write(encodeFrame(encodeMessage({ op: OP.PUT, entry })));
    r.stream.write(encodeFrame(encodeMessage({ op: OP.GETMYADDRPORT })));
    await new Promise((res) => setImmediate(res));
    expect(r.got).to.have.length(1);
    expect(r.ops).to.deep.equal([OP.PUT, OP.GETMYADDRPORT]);
    expect(r.stream.destroyed).to.equal(false);
    r.stream.destroy();
  });

  it('a malformed frame ends the connection, counted', async () => {
    const r = reader();
    r.stream.write(encodeFrame(new Uint8Array([0xff, 1, 2])));
    await new Promise((res) => setImmediate(res));
    expect(r.counts).to.deep.equal({ malformed: 1, dropped: 1 });
    expect(r.stream.destroyed).to.equal(true);
  });

  it('no PUT within the read deadline ends the connection; a non-PUT message does not reset it', async () => {
    const r = reader();
    expect(r.timers.size).to.equal(1);
    r.stream.write(encodeFrame(encodeMessage({ op: OP.GETMYADDRPORT })));
    await new Promise((res) => setImmediate(res));
    expect(r.counts.dropped).to.equal(0);
    r.fire(); // the deadline armed at the start
    expect(r.counts.dropped).to.equal(1);
    expect(r.stream.destroyed).to.equal(true);
  });
});
