/**
 * A NodeServices for direct tests of the node's modules: a real peer
 * table, fresh counters, a settable `time` with timers that run only when
 * the test advances it, a `send` that records what would have gone out,
 * and fakes for the rest (store, intake, trust, sinks) that a test
 * replaces where it needs to.
 */
import { FANOUT } from '../../../lib/constants.js';
import type { AddrPort } from '../../../lib/wire/address.js';
import { type Entry, decodeEntry } from '../../../lib/wire/entry.js';
import { type Message, decodeMessage } from '../../../lib/wire/message.js';
import { type Peer, PeerTable } from '../../../lib/peers/table.js';
import type { StoreLike } from '../../../lib/store/types.js';
import type { NodeServices, TrustHooks } from '../../../lib/node/services/services.js';
import type { IntakeResult } from '../../../lib/node/intake/intake.js';
import { Timers } from '../../../lib/node/services/timers.js';
import { DEFAULT_TIMINGS, type Timings, silentLogger } from '../../../lib/node/options.js';
import { newStats } from '../../../lib/node/services/stats.js';

/** A store that holds `entries` and refuses nothing (only what the modules under test read). */
export function entriesStore(entries: Entry[] = []): StoreLike {
  return {
    entries: async function* () {
      yield* entries;
    },
    get: async () => undefined,
    getByStoreKey: async () => undefined,
    peek: () => undefined,
    ownerKeys: () => ({ keys: [], more: false }),
    put: async () => ({ outcome: 'stored' }),
    usedSpace: () => 0,
    capacity: () => 0,
    count: () => entries.length,
    flush: async () => {},
    close: async () => {},
  };
}

export interface TestServices extends NodeServices {
  sent: { msg: Message; to: AddrPort }[];
  /** Entries handed to intake.accept, with whether they were verified already. */
  accepted: { entry: Entry; verified: boolean }[];
  /** Records trust.sentTo saw. */
  sentTo: { peer: Peer; entry: Entry }[];
  time: number;
  closed: boolean;
  /** Moves `time` on by `ms`, running the timers that fall due, in order. */
  advance(ms: number): void;
}

/** Adds `addr` to `s`'s table as a peer that proved `pubKey` and holds `getBudget` GET answers. */
export function provePeer(s: NodeServices, addr: AddrPort, pubKey: Uint8Array, getBudget: number): Peer {
  const p = s.table.add(addr, false, 0)!;
  s.table.proved(p, pubKey, 7n, 0, s.timings);
  s.table.challenged(p, new Uint8Array(32), getBudget);
  return p;
}

export function testServices(
  timings: Partial<Timings> = {},
  table = new PeerTable({ maxPerHost: 100 }),
  over: Partial<Omit<NodeServices, 'trust'>> & { trust?: Partial<TrustHooks> } = {},
): TestServices {
  const due = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock = {
    now: () => s.time,
    setTimeout: (fn: () => void, ms: number) => (due.set(next, { at: s.time + ms, fn }), next++),
    clearTimeout: (h: unknown) => void due.delete(h as number),
  };
  const trust: TrustHooks = {
    onPinged: () => {},
    onProved: () => {},
    pongPeers: () => undefined,
    readTargets: (owner) => s.table.closestActive(owner, FANOUT),
    substitutes: () => [],
    sentTo: (peer, entry) => void s.sentTo.push({ peer, entry }),
    reads: null,
    ...over.trust,
  };
  const s: TestServices = {
    id: 0n,
    table,
    counters: newStats(),
    timings: { ...DEFAULT_TIMINGS, ...timings },
    log: silentLogger,
    timers: new Timers(clock, silentLogger),
    store: entriesStore(),
    sent: [],
    accepted: [],
    sentTo: [],
    time: 0,
    closed: false,
    now: () => s.time,
    // a message sent encoded (the GET server's answer from stored bytes) is recorded decoded
    send: (msg, to) => void s.sent.push({ msg: msg instanceof Uint8Array ? decodeMessage(msg) : msg, to }),
    openSink: async () => new Error('no TCP in this test'),
    closing: () => s.closed,
    intake: {
      accept: async (entry, o = {}): Promise<IntakeResult> => (s.accepted.push({ entry, verified: o.verified === true }), { status: 'stored' }),
      acceptBatch: async (batch, o = {}) => {
        let stored = 0;
        for (const b of batch.entries) if ((await s.intake.accept(decodeEntry(b), o)).status === 'stored') stored++;
        return stored;
      },
      verify: async () => {},
      countVerifyError: () => {},
    },
    advance(ms) {
      const end = s.time + ms;
      for (;;) {
        const first = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!first) break;
        due.delete(first[0]);
        s.time = first[1].at;
        first[1].fn();
      }
      s.time = end;
    },
    ...over,
    trust,
  };
  return s;
}
