import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClassicLevel } from '../../storage-adapters/classic-level.js';
import type { AnyLevel } from '../../lib/store/layout.js';
import { adapterSuite } from './suite.js';

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
