/**
 * The rule of validity (docs/protocol.md §4.1) against the real Go node:
 * a peer whose key is the identity point (small order: libsodium refuses
 * it, Go accepts it) answers godave's challenges with the signature
 * (R = identity, S = 0), valid for every message under Go's cofactorless
 * rule; godave authenticates it and counts it active. A control peer
 * answering with S >= L is never authenticated. Our verify() gives the
 * same two verdicts on the same PONG bytes. Skipped with one line without
 * the binary (a failure under CI=true).
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { OP } from '../../lib/constants.js';
import { verify } from '../../lib/crypto/ed25519.js';
import { blake3 } from '../../lib/crypto/hash.js';
import { type PongMessage, decodeMessage, encodeMessage } from '../../lib/wire/message.js';
import { GoNode, goNodeMissing, killAll } from './godave.js';

const IDENTITY = new Uint8Array(32);
IDENTITY[0] = 1;
const L_LE = Uint8Array.from(Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'));

/** A UDP peer on [::1] with `pubKey` whose PONGs carry `sig`; PINGs `target` every 300 ms. */
function peer(target: number, pubKey: Uint8Array, sig: Uint8Array, pongs: PongMessage[]) {
  const s = dgram.createSocket('udp6');
  s.on('message', (buf) => {
    let m;
    try {
      m = decodeMessage(new Uint8Array(buf));
    } catch {
      return;
    }
    if (m.op !== OP.PING) return;
    const pong: PongMessage = { op: OP.PONG, peers: [], solution: { challenge: m.challenge, salt: new Uint8Array(16).fill(3), pubKey, sig } };
    pongs.push(pong);
    s.send(encodeMessage(pong), target, '::1');
  });
  const ping = encodeMessage({ op: OP.PING, challenge: new Uint8Array(32).fill(1), usedSpace: 0n, capacity: 0n });
  const t = setInterval(() => s.send(ping, target, '::1'), 300);
  s.bind(0, '::1');
  return { close: () => (clearInterval(t), s.close()) };
}

describe('interop: ed25519 verdicts of the real Go node', function () {
  this.timeout(60_000);
  before(function () {
    const missing = goNodeMissing();
    if (missing && process.env['CI'] !== 'true') {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
  });
  after(() => killAll());

  it('godave authenticates a small-order key (identity, R = identity, S = 0) and refuses S >= L; so does verify()', async () => {
    const go = await GoNode.start();
    const weakPongs: PongMessage[] = [];
    const badPongs: PongMessage[] = [];
    const weakSig = new Uint8Array(64);
    weakSig.set(IDENTITY, 0); // R = identity, S = 0
    const badSig = new Uint8Array(64);
    badSig.set(IDENTITY, 0);
    badSig.set(L_LE, 32); // S = L: not canonical
    const bad = new Uint8Array(32);
    bad[0] = 1;
    bad[31] = 0x80; // the identity's y with the sign bit: x = 0, "-0" (another key for godave's table)
    const weak = peer(go.port, IDENTITY, weakSig, weakPongs);
    const control = peer(go.port, bad, badSig, badPongs);
    try {
      const active = await go.waitActive(1, 20_000);
      expect(active, 'godave counts the small-order peer active').to.equal(1);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await go.activePeers(), 'and only it: S >= L is refused').to.equal(1);
      expect(weakPongs.length).to.be.greaterThan(0);
      expect(badPongs.length).to.be.greaterThan(0);
      const w = weakPongs[0]!.solution;
      const b = badPongs[0]!.solution;
      expect(verify(w.pubKey, blake3(w.challenge, w.salt), w.sig), 'ours, as Go').to.equal(true);
      expect(verify(b.pubKey, blake3(b.challenge, b.salt), b.sig), 'ours, as Go').to.equal(false);
    } finally {
      weak.close();
      control.close();
    }
  });
});
