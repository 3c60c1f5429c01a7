/**
 * A directory the store creates is 0700 whatever the umask
 * (lib/store/directory.ts), so the LevelDB files in it are out of other
 * users' reach even when the process's umask lets them be 0666.
 */
import { expect } from 'chai';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../lib/store/store.js';
import { cleanup, tempDir } from '../cli/helpers.js';

describe('store: a directory it creates is private', () => {
  afterEach(cleanup);

  it('is 0700, with its missing parents, under umask 000', async () => {
    const dir = join(tempDir(), 'a', 'b', 'db');
    const old = process.umask(0);
    let store: Store | undefined;
    try {
      store = await Store.open({ database: dir });
    } finally {
      process.umask(old);
    }
    await store.close();
    expect((statSync(dir).mode & 0o777).toString(8)).to.equal('700');
    expect((statSync(join(dir, '..')).mode & 0o777).toString(8)).to.equal('700');
  });
});
