import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClassicLevel } from '../../storage-adapters/classic-level.js';
import { DaveError } from '../../lib/errors.js';
import { Store } from '../../lib/store/store.js';
import type { AnyLevel } from '../../lib/store/layout.js';
import { ClassicLevel } from 'classic-level';
import { adapterSuite } from './suite.js';
import { faultSuite } from './faults.js';
import { type FaultPlan, withFaults } from './faulty-level.js';

let dir: string | undefined;

adapterSuite('classic-level', {
  persistent: true,
  create: async () => {
    dir = mkdtempSync(join(tmpdir(), 'dave-adapter-'));
    return createClassicLevel(join(dir, 'db')) as AnyLevel;
  },
  reopen: async () => createClassicLevel(join(dir!, 'db')) as AnyLevel,
  destroy: async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
});

const FaultyClassicLevel = withFaults(ClassicLevel);
let faultDir: string | undefined;
faultSuite('classic-level', {
  create: async () => {
    faultDir = mkdtempSync(join(tmpdir(), 'dave-faults-'));
    return new FaultyClassicLevel(join(faultDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as AnyLevel & { faults: FaultPlan };
  },
  destroy: async () => {
    if (faultDir) rmSync(faultDir, { recursive: true, force: true });
    faultDir = undefined;
  },
});

describe('storage adapter: classic-level, locked', () => {
  it('reports a handed-in database whose directory another handle holds as ERR_DATABASE_IN_USE', async () => {
    const d = mkdtempSync(join(tmpdir(), 'dave-adapter-'));
    const holder = createClassicLevel(join(d, 'db'));
    await holder.open();
    try {
      const err = await Store.open({ database: createClassicLevel(join(d, 'db')) as AnyLevel }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DaveError);
      expect((err as DaveError).code).to.equal('ERR_DATABASE_IN_USE');
    } finally {
      await holder.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
