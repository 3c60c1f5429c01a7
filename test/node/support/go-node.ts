/**
 * A real godave v0.0.51 node as a child process (../shared/godave, see its
 * README): one command a line on stdin, one answer a line on stdout.
 * Found at $DAVE_GO_NODE or ../shared/godave/godave-node; tests skip when
 * it is absent.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test/node/support
export const GO_NODE = process.env.DAVE_GO_NODE ?? resolve(here, '../../../../../shared/godave/godave-node');

export function goNodeAvailable(): boolean {
  return existsSync(GO_NODE);
}

/** A UDP port P on [::1] with P and P + 1 (TCP) free right now. */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const udp = createSocket('udp6');
    const ok = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, '::1', () => r(true));
    });
    udp.close();
    if (!ok) continue;
    const tcp: Server = createServer();
    const tcpOk = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port + 1, '::1', () => r(true));
    });
    await new Promise<void>((r) => tcp.close(() => r()));
    if (tcpOk) return port;
  }
  throw new Error('no free port pair on [::1]');
}

export class GoNode {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private buf = '';
  pubKey = '';
  writerKey = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly address: string,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
    child.stderr.resume();
  }

  /** Starts `godave-node node` on [::1]:port with the given edges; resolves at READY. */
  static async start(port: number, edges: string[], seed: number): Promise<GoNode> {
    const args = ['node', '-listen', `[::1]:${port}`, '-seed', String(seed)];
    for (const e of edges) args.push('-edge', e);
    const child = spawn(GO_NODE, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const node = new GoNode(child, `[::1]:${port}`);
    const ready = await node.next(10_000);
    const m = /^READY ([0-9a-f]+) writer ([0-9a-f]+)/.exec(ready);
    if (!m) {
      node.kill();
      throw new Error(`godave-node did not start: ${ready}`);
    }
    node.pubKey = m[1]!;
    node.writerKey = m[2]!;
    return node;
  }

  private next(ms: number): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting = null;
        reject(new Error('godave-node did not answer'));
      }, ms);
      this.waiting = (line) => {
        clearTimeout(t);
        resolve(line);
      };
    });
  }

  /** Sends one command and returns its answer line. */
  async command(line: string, ms = 30_000): Promise<string> {
    this.child.stdin.write(line + '\n');
    return this.next(ms);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end('quit\n');
    const t = setTimeout(() => this.kill(), 3_000);
    await exited;
    clearTimeout(t);
  }
}
