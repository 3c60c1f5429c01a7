/**
 * A scripted peer on a raw UDP socket: it answers PINGs with a valid PONG
 * whose address list the test chooses, and records what it receives.
 * Lets tests send exactly the bytes they want.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { OP } from '../../../lib/constants.js';
import { sign, signingKey } from '../../../lib/crypto/ed25519.js';
import { blake3 } from '../../../lib/crypto/hash.js';
import { type AddrPort, parseAddress } from '../../../lib/wire/address.js';
import { type Message, decodeMessage, encodeMessage } from '../../../lib/wire/message.js';

export class FakePeer {
  readonly key = signingKey(new Uint8Array(randomBytes(32)));
  readonly received: Message[] = [];
  /** Addresses put in every PONG. */
  pongPeers: AddrPort[] = [];
  answerPings = true;
  /** The last PONG sent and to where, for replays. */
  lastPong: { bytes: Uint8Array; port: number } | null = null;
  private socket = dgram.createSocket('udp4');
  port = 0;

  async bind(): Promise<this> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    this.port = this.socket.address().port;
    this.socket.on('message', (buf, rinfo) => {
      let msg: Message;
      try {
        msg = decodeMessage(new Uint8Array(buf));
      } catch {
        return;
      }
      this.received.push(msg);
      if (msg.op === OP.PING && this.answerPings) {
        const salt = new Uint8Array(randomBytes(16));
        const pong = encodeMessage({
          op: OP.PONG,
          peers: this.pongPeers,
          solution: { challenge: msg.challenge, salt, pubKey: this.key.publicKey, sig: sign(this.key, blake3(msg.challenge, salt)) },
        });
        this.lastPong = { bytes: pong, port: rinfo.port };
        this.socket.send(pong, rinfo.port, rinfo.address);
      }
    });
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  sendRaw(bytes: Uint8Array, to: string): Promise<void> {
    const a = parseAddress(to);
    return new Promise((r) => this.socket.send(bytes, a.port, '127.0.0.1', () => r()));
  }

  send(msg: Message, to: string): Promise<void> {
    return this.sendRaw(encodeMessage(msg), to);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
