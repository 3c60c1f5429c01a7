/**
 * Opens the node's store (lib/store, issue 2). Loaded by path at run time
 * until the store module lands in the tree.
 */
import { DaveError } from '../errors.js';
import type { StoreLike, StoreOptions } from '../store/types.js';

export async function openStore(options: StoreOptions): Promise<StoreLike> {
  const path = '../store/store.js';
  let mod: { Store: { open(o: StoreOptions): Promise<StoreLike> } };
  try {
    mod = await import(path);
  } catch (err) {
    throw new DaveError('ERR_DATABASE', 'the store module is not available', { cause: err });
  }
  return mod.Store.open(options);
}
