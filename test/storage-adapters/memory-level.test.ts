import { createMemoryLevel } from '../../storage-adapters/memory-level.js';
import type { AnyLevel } from '../../lib/store/layout.js';
import { MemoryLevel } from 'memory-level';
import { adapterSuite } from './suite.js';
import { faultSuite } from './faults.js';
import { type FaultPlan, withFaults } from './faulty-level.js';

adapterSuite('memory-level', {
  persistent: false,
  create: async () => createMemoryLevel() as AnyLevel,
  reopen: async (db) => db,
  destroy: async () => {},
});

// The same adapter wrapped with faults: disarmed it passes the adapter suite, armed the fault suite.
const FaultyMemoryLevel = withFaults(MemoryLevel);
const faulty = () => new FaultyMemoryLevel({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as AnyLevel & { faults: FaultPlan };
adapterSuite('memory-level, fault-injecting (disarmed)', {
  persistent: false,
  create: async () => faulty(),
  reopen: async (db) => db,
  destroy: async () => {},
});
faultSuite('memory-level', { create: async () => faulty(), destroy: async () => {} });
