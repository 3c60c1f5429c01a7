/**
 * The first five minutes (#22), on the real binary: help everywhere, one
 * line per usage error, joining a running node (shell, dave join, the
 * API, --save kept across a restart), replicas and "me" in what a reader
 * sees, the address families and localhost, debug lines, and the small
 * things: backup --force, wrong vs missing token, HEAD and /health, the
 * empty key, --capacity -5.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_USAGE } from '../../lib/cli/help.js';
import { cleanup, tempDir } from './helpers.js';
import { type RunningNode, dave, killAll, startNode, stopNode } from './dave-proc.js';

/** Polls `cond` every 50 ms until true; fails after `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cli: the first five minutes', function () {
  this.timeout(60_000);
  after(() => {
    killAll();
    cleanup();
  });

  describe('help and usage errors', () => {
    it('dave alone lists the commands on stdout and exits 0 (a node starts with dave start)', async () => {
      const r = await dave([]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/^usage: dave <command>/);
      expect(r.stdout).to.include('A node starts with dave start');
      for (const cmd of Object.keys(COMMAND_USAGE)) expect(r.stdout, cmd).to.match(new RegExp(`\\n  ${cmd}\\b`));
      expect(r.stderr).to.equal('');
    });

    it('every command answers --help (and help <command>) with its usage on stdout, exit 0, starting nothing', async () => {
      const dir = tempDir();
      for (const cmd of Object.keys(COMMAND_USAGE)) {
        const r = await dave([cmd, '--help'], { cwd: dir });
        expect(r.code, `${cmd} --help: ${r.stderr}`).to.equal(0);
        expect(r.stdout, cmd).to.match(new RegExp(`^usage: dave ${cmd}\\b`));
        const h = await dave(['help', cmd], { cwd: dir });
        expect(h.stdout, `help ${cmd}`).to.equal(r.stdout);
      }
      expect(existsSync(join(dir, 'dave-data')), 'start --help created a data directory').to.equal(false);
    });

    it('a usage error is one line on stderr that points to the command\'s --help, exit 2', async () => {
      const cases: [string[], RegExp][] = [
        [['devnet', '--bogus'], /dave devnet --help/],
        [['get'], /dave get --help/],
        [['put', 'k', 'v', '--limit', '3'], /--limit is not an option of put.*dave put --help/],
        [['start', '--nope'], /dave start --help/],
        [['frobnicate'], /dave --help/],
        [['key', 'lost'], /dave key --help/],
        [['start', '--capacity'], /dave start --help/],
      ];
      for (const [argv, re] of cases) {
        const r = await dave(argv);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.stderr, argv.join(' ')).to.match(/^dave: [^\n]+\n$/);
        expect(r.stderr, argv.join(' ')).to.match(re);
      }
    });

    it('--capacity -5 says a size cannot be negative (not parseArgs\' "ambiguous")', async () => {
      for (const argv of [['--capacity', '-5'], ['--capacity=-5'], ['--cache', '-1MB']]) {
        const r = await dave(['start', ...argv, '--data', join(tempDir(), 'd')]);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.stderr, argv.join(' ')).to.match(/^dave: start: --(capacity|cache) -\S+: a size cannot be negative|^dave: --(capacity|cache) -\S+: a size cannot be negative/);
        expect(r.stderr).to.not.include('ambiguous');
      }
    });
  });

  describe('address families and localhost', () => {
    it('--listen localhost:0 is taken (resolved at start, as --edge localhost:PORT is)', async () => {
      const n = await startNode(['--listen', 'localhost:0', '--data', join(tempDir(), 'd')]);
      expect(n.address).to.match(/^(127\.0\.0\.1|\[::1\]):\d+$/);
      expect(await stopNode(n)).to.equal(0);
    });

    it('an edge of the family --listen cannot reach is refused before anything is created, naming both', async () => {
      const parent = tempDir();
      const a = await startNode(['--listen', '127.0.0.1:0', '--data', join(parent, 'a')]);
      try {
        for (const edge of [a.address, a.ticket]) {
          const data = join(parent, 'b');
          const r = await dave(['start', '--listen', '[::1]:0', '--edge', edge, '--data', data, '--no-shell']);
          expect(r.code, r.stderr).to.equal(2);
          expect(r.stderr).to.match(/^dave: --edge .*is IPv4 and this node listens on \[::1\]:0, IPv6 only/);
          expect(existsSync(data)).to.equal(false);
        }
      } finally {
        await stopNode(a);
      }
    });
  });

  it('a saved edge the node cannot use stops the start with exit 2, naming the edges file to edit', async () => {
    const data = join(tempDir(), 'd');
    mkdirSync(data);
    writeFileSync(join(data, 'edges'), '# kept by join --save\n[::1]:5\n');
    const r = await dave(['start', '--listen', '127.0.0.1:0', '--data', data, '--no-shell']);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.include(`saved edge (${join(data, 'edges')}: edit the file to change it): [::1]:5 is IPv6`);
  });

  describe('a running node', () => {
    let a: RunningNode;
    let b: RunningNode;
    let aData: string;
    let bData: string;
    let bToken: string;

    before(async () => {
      const parent = tempDir();
      aData = join(parent, 'a');
      bData = join(parent, 'b');
      a = await startNode(['--listen', '127.0.0.1:0', '--data', aData, '--api', '127.0.0.1:0']);
      b = await startNode(['--listen', '127.0.0.1:0', '--data', bData, '--api', '127.0.0.1:0', '--log-level', 'debug']);
      bToken = readFileSync(join(bData, 'api.token'), 'utf8').trim();
    });
    after(async () => {
      if (a) await stopNode(a);
      if (b) await stopNode(b);
    });

    const call = async (n: RunningNode, method: string, path: string, o: { body?: unknown; token?: string } = {}) => {
      const headers: Record<string, string> = {};
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(n.api! + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
    };

    it('a wrong token and a missing token get different 401 texts', async () => {
      const none = await call(b, 'POST', '/records', { body: { key: 'k', value: 'v' } });
      const wrong = await call(b, 'POST', '/records', { body: { key: 'k', value: 'v' }, token: 'x'.repeat(43) });
      expect([none.status, wrong.status]).to.deep.equal([401, 401]);
      expect(none.json.message).to.match(/^no bearer token/);
      expect(wrong.json.message).to.match(/^the bearer token is wrong/);
    });

    it('HEAD /status is 200 without a body; GET /health answers', async () => {
      const head = await fetch(b.api + '/status', { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(await head.text()).to.equal('');
      const h = await call(b, 'GET', '/health');
      expect(h.status).to.equal(200);
      expect(h.json).to.include({ status: 'ok' });
      expect(h.json.activePeers).to.be.a('number');
    });

    it('the empty key is written and read back through the API (GET /records/me/)', async () => {
      const put = await call(b, 'POST', '/records', { body: { key: '', value: 'empty key' }, token: bToken });
      expect(put.status, put.text).to.equal(201);
      const got = await call(b, 'GET', '/records/me/');
      expect(got.status, got.text).to.equal(200);
      expect(got.json).to.include({ key: '', value: 'empty key' });
    });

    it('POST /edges needs the token; with it the node joins at run time, and --save keeps the edge in DIR/edges', async () => {
      const no = await call(b, 'POST', '/edges', { body: { edge: a.address } });
      expect(no.status).to.equal(401);
      const bad = await call(b, 'POST', '/edges', { body: { edge: '[::1]:1618' }, token: bToken });
      expect(bad.status).to.equal(400);
      expect(bad.json.code).to.equal('ERR_BAD_ADDRESS');
      expect(bad.json.message).to.include('is IPv6 and this node listens on 127.0.0.1');
      const ok = await call(b, 'POST', '/edges', { body: { edge: a.ticket, save: true }, token: bToken });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.json).to.deep.equal({ added: [a.address], saved: true });
      expect(readFileSync(join(bData, 'edges'), 'utf8')).to.equal(`${a.ticket}\n`);
      await until(async () => (await call(b, 'GET', '/peers')).json.peers.some((p: { address: string; active: boolean; edge: boolean }) => p.address === a.address && p.edge && p.active), 10_000, 'b active with a');
    });

    it('the record JSON and the shell\'s get show the replicas', async () => {
      const put = await dave(['put', 'colour', 'blue', '--data', bData]);
      expect(put.code, put.stderr).to.equal(0);
      const json = await dave(['get', 'me', 'colour', '--json', '--data', bData]);
      const r = JSON.parse(json.stdout);
      expect(r.replicas).to.be.an('array').that.is.not.empty;
      for (const id of r.replicas) expect(id).to.match(/^[0-9a-f]{16}$/);
      const sh = await dave(['shell', '--data', bData], { input: 'get me colour\nhelp\n' });
      expect(sh.stdout).to.include(`blue\n  replicas: ${r.replicas.join(' ')}\n`);
      expect(sh.stdout).to.include('"me" is the user key of the node you are on');
    });

    it('the shell explains "me" in its not-found line', async () => {
      const sh = await dave(['shell', '--data', bData], { input: 'get me nothing\n' });
      expect(sh.stdout, sh.stdout + sh.stderr).to.match(/not found \(me is this node's user key [0-9a-f]{16}\.\.\.; a record written through a node with another user key/);
    });

    it('dave get me on another node explains "me" in its not-found line', async () => {
      const r = await dave(['get', 'me', 'colour', '--data', aData]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^not found \(me is this node's user key/);
    });

    it('debug logs one line per API request with its status and time, and peer changes', async () => {
      await until(() => /"msg":"dave: api GET \/health 200 \d+\.\d ms"/.test(b.stderr()), 5_000, 'the request line');
      expect(b.stderr()).to.match(/"msg":"dave: api POST \/edges 401 \d+\.\d ms"/);
      expect(b.stderr()).to.include(`"msg":"dave: peer added ${a.address} (edge)"`);
      expect(b.stderr()).to.match(new RegExp(`"msg":"dave: peer ${a.address.replace(/\./g, '\\.')} \\(edge\\) proved its key`));
    });

    it('dave backup FILE refuses an existing file without --force', async () => {
      const file = join(tempDir(), 'backup.bin');
      writeFileSync(file, 'keep me');
      const r = await dave(['backup', file, '--data', bData]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/exists: give --force to replace it/);
      expect(readFileSync(file, 'utf8')).to.equal('keep me');
      const f = await dave(['backup', file, '--force', '--data', bData]);
      expect(f.code, f.stderr).to.equal(0);
      expect(f.stdout).to.match(/written to .* \(\d+(\.\d+)? (B|KiB)\)/);
      expect(readFileSync(file).length).to.be.greaterThan(7);
    });

    it('a saved edge is joined again after a restart, without --edge', async () => {
      expect(await stopNode(b, 'SIGINT')).to.equal(0);
      b = await startNode(['--listen', '127.0.0.1:0', '--data', bData, '--api', '127.0.0.1:0']);
      await until(async () => (await call(b, 'GET', '/peers')).json.peers.some((p: { address: string; edge: boolean; active: boolean }) => p.address === a.address && p.edge && p.active), 10_000, 'b rejoined a');
    });

    it('dave join and the shell\'s join add an edge; join --save twice writes it once', async () => {
      const c = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'c'), '--api', '127.0.0.1:0']);
      try {
        const r = await dave(['join', c.address, '--save', '--data', bData]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.equal(`joined: edge ${c.address} added, saved for the next start\n`);
        await dave(['join', c.address, '--save', '--data', bData]);
        expect(readFileSync(join(bData, 'edges'), 'utf8').split('\n').filter((l) => l === c.address)).to.have.length(1);
        const sh = await dave(['shell', '--data', bData], { input: `join ${a.address}\njoin\njoin 10.0.0.1\n` });
        expect(sh.stdout).to.include(`joined: edge ${a.address} added (join --save keeps it for the next start)`);
        expect(sh.stdout).to.include('error: usage: join <ticket|address> [--save]');
        expect(sh.stdout).to.match(/error: .*\(ERR_BAD_ADDRESS\)/);
      } finally {
        await stopNode(c);
      }
    });
  });
});
