/**
 * How the CLI reaches its node, and what a stranger gets: the node serves
 * its API on DIR/api.sock (0600) and the one-shot commands use it without
 * a token; once the node is dead, a stranger listening on the port in its
 * api.url gets no token; tokens come from a file or DAVE_API_TOKEN; and
 * under umask 000 the data directory is 0700 and every file in it 0600.
 */
import { expect } from 'chai';
import { lstatSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import { join } from 'node:path';
import { cleanup, tempDir } from './helpers.js';
import { type RunningNode, dave, killAll, startNode, stopNode } from './dave-proc.js';
import { raw } from '../api/support/raw.js';

const mode = (p: string) => lstatSync(p).mode & 0o777;

/** Every path under `dir`, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe('cli/api socket and tokens', function () {
  this.timeout(60_000);
  const env = { ...process.env, DAVE_API_TOKEN: '' };
  afterEach(() => killAll());
  after(() => cleanup());

  it('the CLI talks to its node over DIR/api.sock (0600), with no token', async () => {
    const data = join(tempDir(), 'data');
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0'], 20_000, { env });
    try {
      const sock = join(data, 'api.sock');
      expect(lstatSync(sock).isSocket()).to.equal(true);
      expect(mode(sock)).to.equal(0o600);
      // a write the node signs needs the token over TCP, and nothing over the socket
      const put = await dave(['put', 'via', 'socket', '--data', data, '--json'], { env });
      expect(put.code, put.stderr).to.equal(0);
      expect(JSON.parse(put.stdout).owner).to.equal(n.userKey);
      const get = await dave(['get', 'me', 'via', '--data', data], { env });
      expect([get.code, get.stdout.trim()]).to.deep.equal([0, 'socket']);
      const direct = await raw({ socketPath: sock }, 'POST', '/records', { 'content-type': 'application/json' }, JSON.stringify({ key: 'k', value: 'v' }));
      expect(direct.status, direct.body).to.equal(201);
      const tcp = await raw({ port: Number(new URL(n.api!).port) }, 'POST', '/records', { 'content-type': 'application/json' }, JSON.stringify({ key: 'k', value: 'v' }));
      expect(tcp.status).to.equal(401);
    } finally {
      await stopNode(n);
    }
    expect(() => lstatSync(join(data, 'api.sock'))).to.throw(); // removed at stop
  });

  it('a stranger on a dead node\'s port gets no token', async () => {
    const data = join(tempDir(), 'data');
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0'], 20_000, { env });
    const port = Number(new URL(n.api!).port);
    const token = readFileSync(join(data, 'api.token'), 'utf8').trim();
    await stopNode(n, 'SIGKILL'); // died: api.url and api.sock stay behind
    expect(readFileSync(join(data, 'api.url'), 'utf8').trim()).to.equal(n.api);
    const seen: IncomingHttpHeaders[] = [];
    const fake = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"0","records":[],"next":null}');
    });
    await new Promise<void>((r) => fake.listen(port, '127.0.0.1', r));
    try {
      // the stale socket: nothing answers there, and nothing goes to the port
      for (const args of [['status'], ['put', 'k', 'v'], ['del', 'k'], ['ls']]) {
        const r = await dave([...args, '--data', data], { env });
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stderr).to.match(/api\.sock/);
      }
      expect(seen).to.have.length(0);
      // a node that had no socket (the path too long): its api.url is used, without the token
      rmSync(join(data, 'api.sock'));
      await dave(['status', '--data', data], { env });
      await dave(['put', 'k', 'v', '--data', data], { env });
      expect(seen.length).to.be.at.least(2);
      for (const h of seen) {
        expect(h.authorization).to.equal(undefined);
        expect(JSON.stringify(h)).to.not.include(token);
      }
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it('takes the token from --api-token-file or DAVE_API_TOKEN, on both sides', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const tokenFile = join(dir, 'token');
    const token = 'a-token-from-a-file-0123456789';
    writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
    const n: RunningNode = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0', '--api-token-file', tokenFile], 20_000, { env });
    try {
      const api = n.api!;
      const byFile = await dave(['put', 'f', '1', '--api', api, '--api-token-file', tokenFile], { env });
      expect(byFile.code, byFile.stderr).to.equal(0);
      const byEnv = await dave(['put', 'e', '2', '--api', api], { env: { ...env, DAVE_API_TOKEN: token } });
      expect(byEnv.code, byEnv.stderr).to.equal(0);
      const none = await dave(['put', 'n', '3', '--api', api], { env });
      expect(none.code).to.equal(2);
      expect(none.stderr).to.match(/ERR_UNAUTHORIZED.*--api-token-file/);
      const missing = await dave(['put', 'n', '3', '--api', api, '--api-token-file', join(dir, 'nope')], { env });
      expect([missing.code, /cannot read/.test(missing.stderr)]).to.deep.equal([2, true]);
    } finally {
      await stopNode(n);
    }
    const fromEnv = await startNode(['--listen', '127.0.0.1:0', '--data', join(dir, 'data2'), '--api', '127.0.0.1:0'], 20_000, { env: { ...env, DAVE_API_TOKEN: token } });
    try {
      const r = await raw({ port: Number(new URL(fromEnv.api!).port) }, 'POST', '/records', { 'content-type': 'application/json', authorization: `Bearer ${token}` }, '{"key":"a","value":"b"}');
      expect(r.status, r.body).to.equal(201);
    } finally {
      await stopNode(fromEnv);
    }
  });

  it('under umask 000 the data directory is 0700 and every file in it 0600 (LevelDB\'s too)', async () => {
    const data = join(tempDir(), 'data');
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0'], 20_000, { env, umask: 0o000 });
    const check = (when: string) => {
      expect(statSync(data).mode & 0o777, `${when}: ${data}`).to.equal(0o700);
      const paths = walk(data);
      expect(paths.some((p) => /\.log$|MANIFEST|CURRENT|LOCK/.test(p)), paths.join(' ')).to.equal(true);
      for (const p of paths) {
        const st = lstatSync(p);
        expect(st.mode & 0o077, `${when}: ${p} is ${(st.mode & 0o777).toString(8)}`).to.equal(0);
      }
    };
    try {
      for (let i = 0; i < 5; i++) expect((await dave(['put', `k${i}`, 'v', '--data', data], { env })).code).to.equal(0);
      check('running');
    } finally {
      await stopNode(n);
    }
    check('stopped');
  });
});
