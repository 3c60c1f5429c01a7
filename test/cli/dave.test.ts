/**
 * The real `dave` binary: every configuration error is one line with the
 * same prefix and exit status (2 usage, 1 run time) and leaves nothing
 * behind; start, signals, restart with the same ID and records; one-shot
 * commands and their exit codes; the shell driven on stdin.
 */
import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cleanup, tempDir } from './helpers.js';
import { dave, killAll, startNode, stopNode } from './dave-proc.js';

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
    for (const [name, args, pattern] of cases) {
      it(`${name}: exit 2, one line, nothing created`, async () => {
        const dir = tempDir();
        const data = join(dir, 'd1');
        const r = await dave(['start', '--listen', '127.0.0.1:0', '--data', data, ...args]);
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

    it('an unknown command and a one-shot without a node: exit 2', async () => {
      oneLine(await dave(['bogus']), /unknown command "bogus"/);
      const r = await dave(['status', '--data', join(tempDir(), 'none')]);
      expect(r.code).to.equal(2);
      oneLine(r, /no running API found/);
    });
  });

  describe('a running node', () => {
    it('starts, serves one-shot commands, stops on SIGTERM, restarts with its ID and records', async () => {
      const data = join(tempDir(), 'data');
      const n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0']);
      expect(n.address).to.match(/^127\.0\.0\.1:\d+$/);
      expect(n.api).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(n.ticket).to.match(/^dave/);
      expect(statSync(join(data, 'node.key')).mode & 0o777).to.equal(0o600);
      expect(statSync(join(data, 'user.key')).mode & 0o777).to.equal(0o600);
      // logs are JSON lines when stderr is not a terminal
      const first = JSON.parse(n.stderr().split('\n')[0]!);
      expect(first.level).to.equal(30);

      const put = await dave(['put', 'greeting', 'hello world', '--data', data]);
      expect(put.code, put.stderr).to.equal(0);
      const get = await dave(['get', 'me', 'greeting', '--data', data]);
      expect([get.code, get.stdout]).to.deep.equal([0, 'hello world\n']);
      const json = await dave(['get', n.userKey, 'greeting', '--data', data, '--json']);
      expect(JSON.parse(json.stdout)).to.include({ key: 'greeting', value: 'hello world', owner: n.userKey });
      const missing = await dave(['get', 'me', 'nothing', '--data', data]);
      expect(missing.code).to.equal(1);
      const bad = await dave(['get', 'me', '--data', data]);
      expect(bad.code).to.equal(2);
      const badOwner = await dave(['get', 'nothex', 'k', '--data', data]);
      expect(badOwner.code).to.equal(2);
      oneLine(badOwner, /ERR_INVALID_ARGUMENT/);
      await dave(['put', 'gone', 'soon', '--data', data]);
      expect((await dave(['del', 'gone', '--data', data])).code).to.equal(0);
      const deleted = await dave(['get', 'me', 'gone', '--data', data]);
      expect(deleted.code).to.equal(1);
      const ls = await dave(['ls', '--data', data, '--json']);
      expect(JSON.parse(ls.stdout).records.map((r: { key: string }) => r.key)).to.deep.equal(['gone', 'greeting']);
      const status = await dave(['status', '--data', data, '--json']);
      expect(JSON.parse(status.stdout)).to.include({ publicKey: n.publicKey, records: 2 });
      expect((await dave(['peers', '--data', data])).stdout).to.include('(no peers)');
      expect((await dave(['ticket', '--data', data])).stdout.trim()).to.equal(n.ticket);
      const backup = join(tempDir(), 'b.bin');
      expect((await dave(['backup', backup, '--data', data])).code).to.equal(0);
      expect(statSync(backup).size).to.be.greaterThan(200);

      // a second node on the same data directory is refused
      const twice = await dave(['start', '--listen', '127.0.0.1:0', '--data', data]);
      expect(twice.code).to.equal(1);
      oneLine(twice, /in use by another process/);

      expect(await stopNode(n, 'SIGTERM')).to.equal(0);
      expect(existsSync(join(data, 'api.url'))).to.equal(false);

      const again = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0']);
      expect(again.publicKey).to.equal(n.publicKey);
      expect(again.userKey).to.equal(n.userKey);
      expect(again.stdout()).to.include('(2 records');
      const after = await dave(['get', 'me', 'greeting', '--data', data]);
      expect(after.stdout).to.equal('hello world\n');

      // the shell over the API, driven on stdin
      const sh = await dave(['shell', '--data', data], { input: 'put k v\nget me k\nfrobnicate\nget me\nls k\nstatus\nquit\n' });
      expect(sh.code, sh.stderr).to.equal(0);
      expect(sh.stdout).to.match(/ok: k written/);
      expect(sh.stdout).to.match(/^v$/m);
      expect(sh.stdout).to.include('error: unknown command "frobnicate"');
      expect(sh.stdout).to.include('error: usage: get <owner|me> <key>');
      expect(sh.stdout).to.include('k = v');
      expect(sh.stdout).to.include(`public key ${n.publicKey}`);
      expect(await stopNode(again, 'SIGINT')).to.equal(0);
      expect(readFileSync(join(data, 'node.key'), 'utf8')).to.match(/^[0-9a-f]{64}\n$/);
    });
  });
});
