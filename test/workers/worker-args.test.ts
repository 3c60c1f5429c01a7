/** workers/worker-args.ts: worker threads start whatever flags the node process was given. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const argsModule = pathToFileURL(fileURLToPath(new URL('../../lib/workers/worker-args.js', import.meta.url))).href;

describe('workers/worker-args', function () {
  this.timeout(20_000);
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dave-worker-args-'));
    // the worker reports the flags it was started with
    await writeFile(join(dir, 'echo.mjs'), "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage(process.execArgv);\n");
    await writeFile(
      join(dir, 'main.mjs'),
      `import { startWorkerThread } from ${JSON.stringify(argsModule)};
const w = startWorkerThread(new URL('./echo.mjs', import.meta.url));
w.once('message', (argv) => { console.log(JSON.stringify(argv)); w.terminate(); });
w.once('error', (e) => { console.log('error ' + e.message); process.exitCode = 1; });
`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('starts a worker under V8 flags that Node refuses in a worker (--max-old-space-size, --expose-gc), keeping the Node flags', async () => {
    const { stdout } = await run(process.execPath, ['--max-old-space-size=512', '--expose-gc', '--enable-source-maps', join(dir, 'main.mjs')]);
    expect(JSON.parse(stdout)).to.deep.equal(['--enable-source-maps']);
  });

  it('passes the flags on unchanged when Node accepts them all', async () => {
    const { stdout } = await run(process.execPath, ['--enable-source-maps', join(dir, 'main.mjs')]);
    expect(JSON.parse(stdout)).to.deep.equal(['--enable-source-maps']);
  });
});
