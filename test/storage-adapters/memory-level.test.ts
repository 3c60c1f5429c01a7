import { createMemoryLevel } from '../../storage-adapters/memory-level.js';
import type { AnyLevel } from '../../lib/store/layout.js';
import { adapterSuite } from './suite.js';

adapterSuite('memory-level', {
  persistent: false,
  create: async () => createMemoryLevel() as AnyLevel,
  reopen: async (db) => db,
  destroy: async () => {},
});
