/**
 * Misbehaving roles. A freeloader and a liar are ordinary Dave nodes
 * given a store that misbehaves (the node does not know); a flooder is a
 * bare UDP socket that sends malformed datagrams.
 */
import { FANOUT, MIN_WORK, SIG_LEN } from '../constants.js';
import { solveWork } from '../crypto/work.js';
import type { Entry } from '../wire/entry.js';
import type { AddrPort } from '../wire/address.js';
import type { PutResult, StoreLike } from '../store/types.js';
import type { SimNetwork } from './network.js';
import type { Rng } from './random.js';

export type Role = 'honest' | 'freeloader' | 'liar';

/**
 * Wraps a store so the node keeps nothing it is sent and answers every GET
 * with not-found (it still pings, answers PONGs and counts as a replica).
 */
export function freeloaderStore(inner: StoreLike): StoreLike {
  return {
    put: async (): Promise<PutResult> => ({ outcome: 'stored' }),
    get: async () => undefined,
    getByStoreKey: async () => undefined,
    peek: () => undefined,
    ownerKeys: () => ({ keys: [], more: false }),
    entries: async function* () {},
    usedSpace: () => 0,
    capacity: () => inner.capacity(),
    count: () => 0,
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
}

/**
 * Wraps a store so every GET is answered with a forged record of the
 * asked owner and key: valid proof of work (so it reaches the signature
 * check), a random signature (so real verification rejects it).
 */
export function liarStore(inner: StoreLike, rng: Rng, now: () => number): StoreLike {
  const forge = (pubKey: Uint8Array, key: Uint8Array): Entry => {
    const sig = rng.bytes(SIG_LEN);
    const { salt, work } = solveWork(sig, MIN_WORK)!;
    const dat = { time: now(), salt, work, sig, pubKey: Uint8Array.from(pubKey), key: Uint8Array.from(key), value: new TextEncoder().encode('a lie') };
    return { dat, replicas: new Array<bigint>(FANOUT).fill(0n) };
  };
  // a freeloader that answers with forgeries instead of not-found
  return { ...freeloaderStore(inner), get: async (pubKey, key) => forge(pubKey, key) };
}

/** A host that sends `perSecond` datagrams of random bytes (1 to 1424 long) to random targets. */
export class Flooder {
  private timer: unknown = null;
  private stopped = false;
  private udp: { close(): Promise<void> } | null = null;
  sent = 0;

  constructor(
    private readonly net: SimNetwork,
    readonly ip: string,
    private readonly rng: Rng,
  ) {}

  async start(targets: () => AddrPort[], perSecond: number): Promise<void> {
    const udp = this.net.host(this.ip).udp();
    await udp.bind(this.ip, 1618);
    this.udp = udp;
    const gap = 1000 / perSecond;
    const tick = () => {
      if (this.stopped) return;
      const to = targets();
      if (to.length > 0) {
        const data = this.rng.bytes(1 + this.rng.int(1424));
        udp.send(data, to[this.rng.int(to.length)]!);
        this.sent++;
      }
      this.timer = this.net.clock.setTimeout(tick, gap);
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    this.net.clock.clearTimeout(this.timer);
    void this.udp?.close();
  }
}
