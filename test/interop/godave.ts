/**
 * Interop support: a real godave v0.0.51 node (../shared/godave/godave-node,
 * or $DAVE_GO_NODE) as a child process, driven over its stdin/stdout one
 * line per request and one line per answer (see docs/interop.md), and free
 * ports on [::1]. Every child started here is recorded so that
 * killAll() in an after hook ends it, also when a test failed.
 */
import { type ChildProcess, spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../lib/wire/bytes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..'); // from dist/test/interop

/** Where the Go node is looked for: $DAVE_GO_NODE, else ../shared/godave/godave-node beside the checkout. */
export const GO_NODE = process.env.DAVE_GO_NODE ?? resolve(ROOT, '../shared/godave/godave-node');

/** Null when the binary is there; else one line saying why the suite cannot run. */
export function goNodeMissing(): string | null {
  if (existsSync(GO_NODE)) return null;
  const from = process.env.DAVE_GO_NODE ? 'named by $DAVE_GO_NODE' : 'the default path; set DAVE_GO_NODE to use another build';
  return `no godave node at ${GO_NODE} (${from})`;
}

/** Seed byte of the key that owns every record a Go node writes with `put`. */
export const GO_WRITER_SEED = 200;

/** The 32-byte seed made of `b` repeated, as godave-node derives its keys. */
export function seedOf(b: number): Uint8Array {
  return new Uint8Array(32).fill(b);
}

const children = new Set<ChildProcess>();

/** Ends every child this module started (SIGKILL: none holds state a test needs after it). */
export async function killAll(): Promise<void> {
  const all = [...children];
  children.clear();
  await Promise.all(
    all.map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
}

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((res, rej) => {
    const s = dgram.createSocket('udp6');
    s.once('error', (e) => {
      s.close();
      rej(e);
    });
    s.bind(port, '::1', () => res(s));
  });
}

function bindTcp(port: number): Promise<net.Server> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(port, '::1', () => res(s));
  });
}

/**
 * A UDP port P on [::1] such that P and TCP P + 1 were both free a moment
 * ago (bound, then released). A racing process may still take them: the
 * callers retry on EADDRINUSE.
 */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const u = await bindUdp(0);
    const port = u.address().port;
    let t: net.Server | null = null;
    if (port < 65535) t = await bindTcp(port + 1).catch(() => null);
    u.close();
    if (t) {
      await new Promise((r) => t.close(r));
      return port;
    }
  }
  throw new Error('no free port pair on [::1]');
}

export interface GoNodeOptions {
  /** Seed byte of the node key; default 1. */
  seed?: number;
  /** Bootstrap peers, "[::1]:P". */
  edges?: string[];
  /** A godave backup file to load at start (godave rewrites and appends to it). */
  backup?: string;
}

/** A running godave node: `request` sends one command line and resolves with the answer line. */
export class GoNode {
  private readonly waiting: ((line: string) => void)[] = [];
  private exited = false;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** Node public key, hex. */
    readonly publicKey: string,
  ) {}

  /** "[::1]:P", the UDP address (TCP on P + 1). */
  get address(): string {
    return `[::1]:${this.port}`;
  }

  get publicKeyBytes(): Uint8Array {
    return fromHex(this.publicKey);
  }

  /**
   * Starts a node on free ports; retries with other ports when they were
   * taken meanwhile. `pickPort` is for tests of that retry.
   */
  static async start(options: GoNodeOptions = {}, pickPort: () => Promise<number> = freePortPair): Promise<GoNode> {
    let last: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await pickPort();
      try {
        return await GoNode.spawnOn(port, options);
      } catch (err) {
        last = err;
        if (!/in.use|EADDRINUSE/i.test(String(err))) throw err; // godave: "..._address_already_in_use"
      }
    }
    throw last;
  }

  private static spawnOn(port: number, o: GoNodeOptions): Promise<GoNode> {
    const args = ['node', '-listen', `[::1]:${port}`, '-seed', String(o.seed ?? 1)];
    for (const e of o.edges ?? []) args.push('-edge', e);
    if (o.backup) args.push('-backup', o.backup);
    const child = spawn(GO_NODE, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const lines = createInterface({ input: child.stdout! });
    return new Promise((res, rej) => {
      let node: GoNode | null = null;
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        if (node) node.stderr = (node.stderr + d.toString()).slice(-4000);
        else err += d.toString();
      });
      child.once('error', (e) => rej(e));
      // 'close', not 'exit': after stdout has ended, so an ERR line written just
      // before exiting (godave's in-use error) has been read and rejected on
      child.once('close', (code) => {
        if (node) {
          node.exited = true;
          for (const w of node.waiting.splice(0)) w(`EXIT ${code}`);
        } else rej(new Error(`godave-node exited ${code} before READY: ${err.trim()}`));
      });
      lines.on('line', (line) => {
        if (node) return void node.waiting.shift()?.(line);
        const m = /^READY ([0-9a-f]{64}) writer ([0-9a-f]{64})$/.exec(line);
        if (!m) return rej(new Error(`godave-node said ${line} ${err.trim()}`));
        node = new GoNode(child, port, m[1]!);
        res(node);
      });
    });
  }

  /** Sends one command; resolves with the answer line ("EXIT n" if the node ended). */
  request(command: string): Promise<string> {
    if (this.exited) return Promise.resolve('EXIT');
    return new Promise((res) => {
      this.waiting.push(res);
      this.child.stdin!.write(command + '\n');
    });
  }

  /** Waits until `n` peers are active; returns the count reached. */
  async waitActive(n: number, ms: number): Promise<number> {
    const [, ok, count] = (await this.request(`wait ${n} ${ms}`)).split(' ');
    if (ok !== 'true') throw new Error(`godave node on ${this.address}: ${count} of ${n} peers active after ${ms} ms`);
    return Number(count);
  }

  async activePeers(): Promise<number> {
    return Number((await this.request('peers')).split(' ')[1]);
  }

  async used(): Promise<number> {
    return Number((await this.request('used')).split(' ')[1]);
  }

  /** godave's Get: the value (as text) or the error token, e.g. { ok: false, text: 'not_found' }. */
  async get(publicKeyHex: string, key: string, ms = 5000): Promise<{ ok: boolean; text: string }> {
    const line = await this.request(`get ${publicKeyHex} ${key} ${ms}`);
    const m = /^GET (OK|ERR) ?(.*)$/.exec(line);
    if (!m) throw new Error(`unexpected answer to get: ${line}`);
    return { ok: m[1] === 'OK', text: m[2]! };
  }

  /** godave's batch writer, writer key (seed 200): `KEY-0` .. `KEY-(count-1)`, all with value `val`. */
  async put(key: string, val: string, count = 1): Promise<void> {
    const line = await this.request(`put ${key} ${val} ${count}`);
    if (!line.startsWith('PUT true')) throw new Error(`godave put failed: ${line}`);
  }

  /** The last few kB the node wrote on stderr, for failure messages. */
  get log(): string {
    return this.stderr;
  }
}

/** Runs a one-shot godave-node mode (backup, restore) and returns its stdout. */
export function runGoNode(args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const c = execFile(GO_NODE, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      children.delete(c);
      if (err) rej(new Error(`godave-node ${args.join(' ')}: ${err.message} ${stderr}`));
      else res(stdout);
    });
    children.add(c);
  });
}
