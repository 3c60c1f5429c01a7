/**
 * Log lines and the shell's prompt (lib/cli/prompt-guard.ts): a log line
 * that arrives while the user types goes above the prompt, and the prompt
 * and the typed input are redrawn. Checked on what a terminal would show
 * (test/support/terminal.ts): in-process with node:readline on a fake
 * terminal, and on the real binary in a pseudo-terminal (util-linux
 * `script`).
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Writable } from 'node:stream';
import { PromptGuard } from '../../lib/cli/prompt-guard.js';
import { render } from '../support/terminal.js';
import { cleanup, tempDir } from './helpers.js';
import { DAVE } from './dave-proc.js';
import { Dave } from '../../lib/node/dave.js';

class Screen extends Writable {
  text = '';
  isTTY = true;
  columns = 120;
  rows = 40;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function fakeTerminal(): { input: PassThrough & { isTTY: boolean; setRawMode: () => void }; screen: Screen } {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  return { input, screen: new Screen() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('cli: log lines above the prompt', function () {
  this.timeout(30_000);
  after(cleanup);

  it('without the guard a log line lands in the typed input (the bug); with it, above a redrawn prompt', async () => {
    for (const guarded of [false, true]) {
      const { input, screen } = fakeTerminal();
      const rl = createInterface({ input, output: screen, terminal: true });
      const guard = new PromptGuard(screen);
      rl.setPrompt('dave> ');
      rl.prompt();
      if (guarded) guard.attach(rl);
      input.write('put colour bl');
      await tick();
      guard.write(screen, 'WARN dave: edge 127.0.0.1:1618 has not answered\n');
      input.write('ue');
      await tick();
      const shown = render(screen.text).filter((l) => l !== '');
      if (guarded) {
        expect(shown).to.deep.equal(['WARN dave: edge 127.0.0.1:1618 has not answered', 'dave> put colour blue']);
      } else {
        expect(shown[0]).to.equal('dave> put colour blWARN dave: edge 127.0.0.1:1618 has not answered');
      }
      rl.close();
    }
  });

  it('the cursor stays where the user left it (editing in the middle of the line survives a redraw)', async () => {
    const { input, screen } = fakeTerminal();
    const rl = createInterface({ input, output: screen, terminal: true });
    const guard = new PromptGuard(screen);
    rl.setPrompt('dave> ');
    rl.prompt();
    guard.attach(rl);
    rl.write('get me colr');
    rl.write(null, { name: 'left' }); // the cursor before the r
    guard.write(screen, 'INFO dave: status line\n');
    rl.write('ou');
    expect(render(screen.text).filter((l) => l !== '')).to.deep.equal(['INFO dave: status line', 'dave> get me colour']);
    const lines: string[] = [];
    rl.on('line', (l) => lines.push(l));
    input.write('\r');
    await tick();
    expect(lines).to.deep.equal(['get me colour']);
    rl.close();
  });

  it('after detach (a command running, no prompt) text passes straight through', async () => {
    const { input, screen } = fakeTerminal();
    const rl = createInterface({ input, output: screen, terminal: true });
    const guard = new PromptGuard(screen);
    guard.attach(rl);
    guard.detach(rl);
    const before = screen.text;
    guard.write(screen, 'a log line\n');
    expect(screen.text).to.equal(before + 'a log line\n');
    rl.close();
  });

  it('the real binary in a pseudo-terminal: a warning that arrives while typing goes above the prompt', async function () {
    if (spawnSync('script', ['--version']).status !== 0) return this.skip(); // util-linux script is not installed here
    // an edge nobody answers: its warning comes after 3 pings, while we type
    const dead = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    const edge = dead.address();
    await dead.close();
    const data = join(tempDir(), 'd');
    const cmd = [process.execPath, DAVE, 'start', '--listen', '127.0.0.1:0', '--data', data, '--edge', edge, '--shell'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, COLUMNS: '200', TERM: 'xterm' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const end = Date.now() + 20_000;
    const waitFor = async (re: RegExp) => {
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`no ${re} in: ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/dave> /);
      child.stdin.write('put colour bl');
      await waitFor(/has not answered/);
      await new Promise((r) => setTimeout(r, 200));
      const shown = render(out.replace(/\r\n/g, '\n')).filter((l) => l !== '');
      const warn = shown.findIndex((l) => l.includes('has not answered'));
      expect(warn, shown.join('\n')).to.be.greaterThan(-1);
      expect(shown[warn]).to.not.include('dave>');
      expect(shown.at(-1)).to.equal('dave> put colour bl');
      child.stdin.write('\x15quit\r'); // ^U clears the line, then quit
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('late'), 10_000))])).to.equal(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
