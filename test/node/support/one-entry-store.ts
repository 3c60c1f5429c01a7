/**
 * A store holding at most one entry, for driving the intake directly: `peek`
 * and `getByStoreKey` answer from it, `put` records what it was handed and
 * answers the scripted outcome; with `keep`, a put also replaces the entry.
 */
import type { Entry } from '../../../lib/wire/entry.js';
import { storeKey } from '../../../lib/records/record.js';
import type { IndexedEntry, PutResult, StoreLike } from '../../../lib/store/types.js';

export interface OneEntryStoreOptions {
  /** The outcome of every put (default: stored). */
  put?: (e: Entry) => Promise<PutResult>;
  /** A put replaces the held entry (default: the entry stays as given). */
  keep?: boolean;
}

export function oneEntryStore(initial?: Entry, o: OneEntryStoreOptions = {}) {
  let stored = initial;
  const puts: Entry[] = [];
  const put = o.put ?? (async () => ({ outcome: 'stored' as const }));
  const store = {
    peek: (sk: bigint): IndexedEntry | undefined =>
      stored && storeKey(stored.dat.pubKey, stored.dat.key) === sk ? { storeKey: sk, distance: 0n, time: stored.dat.time, size: 0 } : undefined,
    getByStoreKey: async () => stored,
    put: async (e: Entry) => {
      puts.push(e);
      if (o.keep === true) stored = e;
      return put(e);
    },
  };
  return { store: store as unknown as StoreLike, puts, stored: () => stored };
}
