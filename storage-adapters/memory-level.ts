/**
 * memory-level (a red-black tree in memory): for tests and for nodes that
 * need no persistence. Nothing survives the process. `Store.open()` without
 * a database uses one of these.
 */
import { MemoryLevel } from 'memory-level';

export type MemoryLevelDatabase = MemoryLevel<Uint8Array, Uint8Array>;

/** A fresh, empty memory-level database with binary keys and values. */
export function createMemoryLevel(): MemoryLevelDatabase {
  return new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
}
