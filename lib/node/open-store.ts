/** Opens the node's store (lib/store): classic-level at a path, any abstract-level, or memory-level. */
import { Store } from '../store/store.js';
import type { StoreLike, StoreOptions } from '../store/types.js';

export async function openStore(options: StoreOptions): Promise<StoreLike> {
  return Store.open(options);
}
