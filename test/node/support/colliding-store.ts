/**
 * A store under which every record has one store key, as an xxhash64
 * collision would give two owners: a real Store driven through its public
 * API (put with a lookup of the chosen key), for tests of the node's
 * answer to ERR_PUBKEY_MISMATCH.
 */
import type { Store } from '../../../lib/store/store.js';
import type { StoreLike } from '../../../lib/store/types.js';

export function collidingStore(store: Store, sk = 42n): StoreLike {
  return {
    put: (entry) => store.put(entry, store.lookup(sk)),
    lookup: () => store.lookup(sk),
    peek: () => store.peek(sk),
    get: () => store.getByStoreKey(sk),
    getByStoreKey: () => store.getByStoreKey(sk),
    health: () => store.health(),
    ownerKeys: (ownerId, after, max) => store.ownerKeys(ownerId, after, max),
    entries: () => store.entries(),
    usedSpace: () => store.usedSpace(),
    capacity: () => store.capacity(),
    count: () => store.count(),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
