/**
 * The real `dave` binary: every configuration error is one line with the
 * same prefix and exit status (2 usage, 1 run time) and leaves nothing
 * behind; start, signals, restart with the same ID and records; one-shot
 * commands and their exit codes; the shell driven on stdin.
 */
import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cleanup, tempDir } from './helpers.js';
import { type RunningNode, dave, killAll, startNode, stopNode } from './dave-proc.js';

function oneLine(r: { stderr: string }, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^dave: /);
  expect(lines[0]).to.match(pattern);
  expect(r.stderr).not.to.match(/\n\s+at /); // no stack trace
}

/** A UDP port that is free now, bound by nobody. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('cli/dave binary', function () {
  this.timeout(30_000);
  after(() => {
    killAll();
    cleanup();
  });

  describe('bad arguments', () => {
    const cases: [string, string[], RegExp][] = [
      ['bad listen address', ['--listen', 'foo'], /--listen "foo"/],
      ['port 65535 (no room for TCP)', ['--listen', '127.0.0.1:65535'], /port 65535 leaves no TCP port/],
      ['capacity 0', ['--capacity', '0'], /--capacity 0 is too small/],
      ['capacity below one record', ['--capacity', '1kB'], /too small/],
      ['capacity not a size', ['--capacity', 'abc'], /--capacity "abc" is not a size/],
      ['cache not a size', ['--cache', '12 parsecs'], /--cache/],
      ['damaged ticket', ['--edge', 'dave3xyzxyz'], /ticket is damaged/],
      ['bad edge', ['--edge', 'no port'], /--edge "no port"/],
      ['bad log level', ['--log-level', 'loud'], /--log-level "loud"/],
      ['bad api address', ['--api', 'example:x'], /--api "example:x"/],
      ['unknown option', ['--frobnicate'], /frobnicate/],
      ['key file in a missing directory', ['--key-file', '/nonexistent-dir/x.key'], /directory \/nonexistent-dir does not exist/],
    ];
    // run concurrently (each is a process start), checked one by one below
    const results = new Map<string, Promise<{ r: Awaited<ReturnType<typeof dave>>; data: string }>>();
    before(() => {
      const chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve(), Promise.resolve()]; // three at a time
      cases.forEach(([name, args], i) => {
        const data = join(tempDir(), 'd1');
        const p = chain[i % 3]!.then(() => dave(['start', '--listen', '127.0.0.1:0', '--data', data, ...args])).then((r) => ({ r, data }));
        chain[i % 3] = p;
        results.set(name, p);
      });
    });
    for (const [name, , pattern] of cases) {
      it(`${name}: exit 2, one line, nothing created`, async () => {
        const { r, data } = await results.get(name)!;
        expect(r.code, r.stderr).to.equal(2);
        oneLine(r, pattern);
        expect(existsSync(data), 'data directory created').to.equal(false);
        expect(existsSync('/nonexistent-dir')).to.equal(false);
      });
    }

    it('a malformed key file: exit 1, names the file, creates nothing', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'bad.key'), 'not a key\n');
      const r = await dave(['start', '--listen', '127.0.0.1:0', '--data', join(dir, 'd'), '--key-file', join(dir, 'bad.key')]);
      expect(r.code).to.equal(1);
      oneLine(r, /key file .*bad\.key is malformed/);
      expect(existsSync(join(dir, 'd'))).to.equal(false);
    });

    it('the UDP port in use: exit 1, says UDP, removes the data directory it made', async () => {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      const dir = tempDir();
      try {
        const r = await dave(['start', '--listen', `127.0.0.1:${s.address().port}`, '--data', join(dir, 'd')]);
        expect(r.code).to.equal(1);
        oneLine(r, new RegExp(`UDP port ${s.address().port} is in use`));
        expect(existsSync(join(dir, 'd'))).to.equal(false);
      } finally {
        s.close();
      }
    });

    it('only the TCP port (UDP + 1) in use: the message says TCP', async () => {
      let port = 0;
      const tcp = createServer();
      for (let i = 0; i < 20 && port === 0; i++) {
        const p = await freeUdpPort();
        const ok = await new Promise<boolean>((r) => tcp.once('error', () => r(false)).listen(p + 1, '127.0.0.1', () => r(true)));
        if (ok) port = p;
      }
      expect(port).to.be.greaterThan(0);
      try {
        const r = await dave(['start', '--listen', `127.0.0.1:${port}`, '--data', join(tempDir(), 'd')]);
        expect(r.code).to.equal(1);
        oneLine(r, new RegExp(`TCP port ${port + 1} \\(the UDP port \\+ 1\\) is in use`));
      } finally {
        tcp.close();
      }
    });

    it('a damaged data directory is refused and left as it was (no key written)', async () => {
      const data = join(tempDir(), 'd');
      mkdirSync(data);
      writeFileSync(join(data, '000005.ldb'), 'table bytes'); // LevelDB data without CURRENT
      const r = await dave(['start', '--listen', '127.0.0.1:0', '--data', data]);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/repair/);
      expect(readdirSync(data)).to.deep.equal(['000005.ldb']);
      expect(readFileSync(join(data, '000005.ldb'), 'utf8')).to.equal('table bytes');
    });

    it('an unknown command and a one-shot without a node: exit 2', async () => {
      oneLine(await dave(['bogus']), /unknown command "bogus"/);
      const r = await dave(['status', '--data', join(tempDir(), 'none')]);
      expect(r.code).to.equal(2);
      oneLine(r, /no running API found/);
    });
  });

  describe('dave key new before the first start', function () {
    this.timeout(60_000);
    it('the data directory holding only user.key is a fine place for a new database', async () => {
      const data = join(tempDir(), 'data');
      const made = await dave(['key', 'new', '--data', data]);
      expect(made.code, made.stderr).to.equal(0);
      expect(readdirSync(data)).to.deep.equal(['user.key']);
      const userKey = made.stdout.trim().split('\n').pop()!;
      const n = await startNode(['--listen', '127.0.0.1:0', '--data', data]);
      try {
        expect(userKey).to.include(n.userKey); // the key made first is the one the node uses
        expect(existsSync(join(data, 'CURRENT'))).to.equal(true);
      } finally {
        expect(await stopNode(n)).to.equal(0);
      }
    });
  });

  describe('a running node', function () {
    this.timeout(60_000);
    let data: string;
    let n: RunningNode;
    before(async () => {
      data = join(tempDir(), 'data');
      n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0']);
    });

    it('prints its address, API and ticket; keys 0600; JSON logs off a terminal', () => {
      expect(n.address).to.match(/^127\.0\.0\.1:\d+$/);
      expect(n.api).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(n.ticket).to.match(/^dave/);
      expect(statSync(join(data, 'node.key')).mode & 0o777).to.equal(0o600);
      expect(statSync(join(data, 'user.key')).mode & 0o777).to.equal(0o600);
      expect(JSON.parse(n.stderr().split('\n')[0]!).level).to.equal(30);
    });

    it('one-shot commands: 0 done or found, 1 not found, 2 error', async () => {
      const d = ['--data', data];
      expect((await dave(['put', 'greeting', 'hello world', ...d])).code).to.equal(0);
      expect((await dave(['put', 'gone', 'soon', ...d])).code).to.equal(0);
      expect((await dave(['del', 'gone', ...d])).code).to.equal(0);
      const [get, json, missing, deleted, bad, badOwner, ls, status, peers, ticket] = await Promise.all([
        dave(['get', 'me', 'greeting', ...d]),
        dave(['get', n.userKey, 'greeting', ...d, '--json']),
        dave(['get', 'me', 'nothing', ...d]),
        dave(['get', 'me', 'gone', ...d]),
        dave(['get', 'me', ...d]),
        dave(['get', 'nothex', 'k', ...d]),
        dave(['ls', ...d, '--json']),
        dave(['status', ...d, '--json']),
        dave(['peers', ...d]),
        dave(['ticket', ...d]),
      ]);
      expect([get.code, get.stdout]).to.deep.equal([0, 'hello world\n']);
      expect(JSON.parse(json.stdout)).to.include({ key: 'greeting', value: 'hello world', owner: n.userKey });
      expect(missing.code).to.equal(1);
      expect(deleted.code).to.equal(1);
      expect(bad.code).to.equal(2);
      expect(badOwner.code).to.equal(2);
      oneLine(badOwner, /ERR_INVALID_ARGUMENT/);
      expect(JSON.parse(ls.stdout).records.map((r: { key: string }) => r.key)).to.deep.equal(['gone', 'greeting']);
      expect(JSON.parse(status.stdout)).to.include({ publicKey: n.publicKey, records: 2 });
      expect(peers.stdout).to.include('(no peers)');
      expect(ticket.stdout.trim()).to.equal(n.ticket);
      const backup = join(tempDir(), 'b.bin');
      expect((await dave(['backup', backup, ...d])).code).to.equal(0);
      expect(statSync(backup).size).to.be.greaterThan(200);
    });

    it('dave key new/show; put --key-file signs with that key (no token needed)', async () => {
      const file = join(tempDir(), 'me.key');
      const made = await dave(['key', 'new', '--file', file]);
      expect(made.code, made.stderr).to.equal(0);
      const pub = made.stdout.trim();
      expect(pub).to.match(/^[0-9a-f]{64}$/);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const [shown, again, nodir] = await Promise.all([
        dave(['key', 'show', '--file', file]),
        dave(['key', 'new', '--file', file]),
        dave(['key', 'new', '--file', '/nonexistent-dir/k.key']),
      ]);
      expect(shown.stdout.trim()).to.equal(pub);
      expect(again.code).to.equal(1);
      oneLine(again, /exists; not overwriting/);
      expect(nodir.code).to.equal(2);
      const put = await dave(['put', 'mine', 'signed here', '--key-file', file, '--api', n.api!, '--token', 'not-the-token', '--json']);
      expect(put.code, put.stderr).to.equal(0);
      expect(JSON.parse(put.stdout).owner).to.equal(pub);
      const got = await dave(['get', pub, 'mine', '--data', data]);
      expect(got.stdout).to.equal('signed here\n');
    });

    it('a second node on the same data directory is refused', async () => {
      const twice = await dave(['start', '--listen', '127.0.0.1:0', '--data', data]);
      expect(twice.code).to.equal(1);
      oneLine(twice, /in use by another process/);
    });

    it('stops on SIGTERM; restarts with the same ID and records; the shell drives it on stdin; stops on SIGINT', async () => {
      expect(await stopNode(n, 'SIGTERM')).to.equal(0);
      expect(existsSync(join(data, 'api.url'))).to.equal(false);
      const again = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0']);
      expect(again.publicKey).to.equal(n.publicKey);
      expect(again.userKey).to.equal(n.userKey);
      expect(again.stdout()).to.include('(3 records');
      const sh = await dave(['shell', '--data', data], { input: 'put k v\nget me greeting\nget me k\nfrobnicate\nget me\nls k\nstatus\nquit\n' });
      expect(sh.code, sh.stderr).to.equal(0);
      expect(sh.stdout).to.match(/ok: k written at \S+; stored on this node only \(no peers yet\); replication sends it on when peers appear/);
      expect(sh.stdout).to.match(/^hello world$/m);
      expect(sh.stdout).to.match(/^v$/m);
      expect(sh.stdout).to.include('error: unknown command "frobnicate"');
      expect(sh.stdout).to.include('error: usage: get <owner|me> <key>');
      expect(sh.stdout).to.include('k = v');
      expect(sh.stdout).to.include(`public key ${n.publicKey}`);
      expect(await stopNode(again, 'SIGINT')).to.equal(0);
      expect(readFileSync(join(data, 'node.key'), 'utf8')).to.match(/^[0-9a-f]{64}\n$/);
    });
  });

  describe('joining', function () {
    this.timeout(60_000);
    it('a node joins another by its ticket, a third by host name (resolved at start)', async () => {
      const a = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'a'), '--api', '127.0.0.1:0']);
      const b = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'b'), '--edge', a.ticket]);
      const port = a.address.split(':')[1];
      const c = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'c'), '--edge', `localhost:${port}`]);
      const deadline = Date.now() + 15_000;
      let proven: string[] = [];
      while (Date.now() < deadline) {
        const peers = (await (await fetch(`${a.api}/peers`)).json()) as { peers: { id: string | null; active: boolean }[] };
        proven = peers.peers.filter((p) => p.active && p.id !== null).map((p) => p.id!);
        if (proven.length >= 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const idOf = (n: { stdout: () => string }) => /dave node ([0-9a-f]{16})/.exec(n.stdout())![1];
      expect(proven.sort()).to.deep.equal([idOf(b), idOf(c)].sort());
      expect(await Promise.all([stopNode(a), stopNode(b), stopNode(c)])).to.deep.equal([0, 0, 0]);
    });
  });
});
