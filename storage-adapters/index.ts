/**
 * dave-kv/storage-adapters: factories for the two abstract-level databases
 * the store is tested on. Each loads its database module only when this
 * module is imported; import `dave-kv/storage-adapters/memory-level` alone
 * to leave LevelDB's native binding unloaded.
 */
export { createClassicLevel, type ClassicLevelDatabase } from './classic-level.js';
export { createMemoryLevel, type MemoryLevelDatabase } from './memory-level.js';
