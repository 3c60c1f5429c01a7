/**
 * The peer handshake, docs/protocol.md §7: a fresh challenge to every peer each PING
 * period; a PONG proves the peer's key (the signature over the challenge
 * and its salt) and carries up to NPEER_LIMIT active peers, which we add.
 * Our own PONG carries our peer list only to peers that proved their key.
 */
import { randomBytes } from 'node:crypto';
import { CHALLENGE_LEN, NPEER_LIMIT, OP, PUBKEY_LEN, SALT_LEN } from '../../constants.js';
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import { equalBytes } from '../../wire/bytes.js';
import type { PingMessage, PongMessage } from '../../wire/message.js';
import type { SigningKey } from '../../crypto/ed25519.js';
import { type CryptoSuite, realCrypto } from '../../crypto/suite.js';
import { blake3 } from '../../crypto/hash.js';
import { nodeId } from '../../records/record.js';
import { isDialable } from '../../peers/address.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';
import type { AddressDiscovery } from './discovery.js';
import type { Peer } from '../../peers/table.js';
import { isSilent, randomFloat } from '../options.js';

/** What the handshake takes besides the services. */
export interface HandshakeOptions {
  readonly signer: SigningKey;
  /** PONG signatures and their checks. Default realCrypto (crypto/suite.ts). */
  readonly crypto?: CryptoSuite;
  readonly discovery: AddressDiscovery;
  /** GET answers each peer may draw per PING period. */
  readonly maxGetAnswersPerPing: number;
  /** A peer just became active, or an active peer was answered by us for the first time (it may be ready). */
  onActive(): void;
  /** Random bytes for challenges, salts and the peer sample of a PONG. Default node:crypto. */
  randomBytes?: (n: number) => Uint8Array;
}

export class Handshake {
  private readonly random: (n: number) => Uint8Array;
  private readonly crypto: CryptoSuite;

  constructor(
    private readonly ctx: Pick<NodeServices, 'table' | 'timings' | 'now' | 'send' | 'counters' | 'store' | 'trust' | 'log'>,
    private readonly deps: HandshakeOptions,
  ) {
    this.random = deps.randomBytes ?? ((n) => new Uint8Array(randomBytes(n)));
    this.crypto = deps.crypto ?? realCrypto;
  }

  /** Takes the PINGs and PONGs. */
  register(d: Dispatcher): void {
    d.on(OP.PING, (msg, from) => this.onPing(msg, from));
    d.on(OP.PONG, (msg, from) => this.onPong(msg, from));
  }

  /**
   * A fresh challenge to every peer, edges and inactive ones included;
   * then asks an edge for our address when due (docs/protocol.md §8).
   */
  pingAll(): void {
    const usedSpace = BigInt(this.ctx.store.usedSpace());
    const capacity = BigInt(this.ctx.store.capacity());
    const { table } = this.ctx;
    const now = this.ctx.now();
    for (const peer of table.all()) this.pingOne(peer, usedSpace, capacity, now);
    this.deps.discovery.maybeAsk();
  }

  /** A fresh challenge to one peer now (an edge added at run time: no wait for the next period). */
  ping(peer: Peer): void {
    this.pingOne(peer, BigInt(this.ctx.store.usedSpace()), BigInt(this.ctx.store.capacity()), this.ctx.now());
  }

  private pingOne(peer: Peer, usedSpace: bigint, capacity: bigint, now: number): void {
    const challenge = this.random(CHALLENGE_LEN);
    this.ctx.table.challenged(peer, challenge, this.deps.maxGetAnswersPerPing);
    this.ctx.send({ op: OP.PING, challenge, usedSpace, capacity }, peer.addr);
    this.ctx.trust.onPinged(peer, now);
  }

  /** A PING: note the peer, and answer within its PONG budget. */
  onPing(msg: PingMessage, from: AddrPort): void {
    const { table, counters } = this.ctx;
    const now = this.ctx.now();
    const key = addressKey(from);
    let peer = table.get(key);
    if (!peer) {
      peer = table.add(from, false, now);
      if (!peer) return void counters.droppedQueueFull++;
      if (!isSilent(this.ctx.log.debug)) this.ctx.log.debug(`dave: peer added ${formatAddress(from)} (it pinged us)`);
    }
    table.pinged(peer, now, msg.usedSpace, msg.capacity);
    this.deps.discovery.pinged(from);
    if (!table.takePong(peer)) return;
    const salt = this.random(SALT_LEN);
    const sig = this.crypto.sign(this.deps.signer, blake3(msg.challenge, salt));
    // our peer list goes only to peers that proved their key (a spoofed
    // PING gets a short answer); a new peer gets it one PING period later
    const peers =
      peer.pubKey === null ? [] : (this.ctx.trust.pongPeers(NPEER_LIMIT, key) ?? table.randomActive(NPEER_LIMIT, key, () => randomFloat(this.random))).map((p) => p.addr);
    this.ctx.send({ op: OP.PONG, peers, solution: { challenge: msg.challenge, salt, pubKey: this.deps.signer.publicKey, sig } }, from);
    // it can prove our key now, and will answer our GETs: maybe ready
    if (table.answered(peer) && peer.active) this.deps.onActive();
  }

  /** A PONG: check the answer to our challenge, learn the key, add the listed peers. */
  onPong(msg: PongMessage, from: AddrPort): void {
    const { table, counters } = this.ctx;
    const s = msg.solution;
    const now = this.ctx.now();
    const peer = table.get(addressKey(from));
    const challenge = peer ? table.takeChallenge(peer) : null;
    if (!peer || challenge === null) return void counters.authFailures++;
    if (
      !equalBytes(challenge, s.challenge) ||
      s.pubKey.length !== PUBKEY_LEN ||
      (peer.pubKey !== null && !equalBytes(peer.pubKey, s.pubKey)) ||
      !this.crypto.verify(s.pubKey, blake3(s.challenge, s.salt), s.sig)
    ) {
      return void counters.authFailures++;
    }
    if (equalBytes(s.pubKey, this.deps.signer.publicKey)) return this.deps.discovery.pingedSelf(peer);
    const firstProof = peer.pubKey === null;
    const becameActive = table.proved(peer, s.pubKey, nodeId(s.pubKey), now, this.ctx.timings);
    this.ctx.trust.onProved(peer, now);
    const debug = !isSilent(this.ctx.log.debug);
    if (debug && (firstProof || becameActive)) {
      const what = [firstProof ? `proved its key (ID ${peer.id.toString(16).padStart(16, '0')})` : '', becameActive ? 'active' : ''].filter(Boolean).join(', ');
      this.ctx.log.debug(`dave: peer ${formatAddress(from)}${peer.edge ? ' (edge)' : ''} ${what}`);
    }
    if (msg.peers.length > NPEER_LIMIT || msg.peers.some((a) => this.deps.discovery.isOwnAddress(a))) {
      counters.peerListsRejected++;
    } else {
      for (const a of msg.peers) {
        const known = debug && table.get(addressKey(a)) !== undefined;
        if (!isDialable(a) || !table.add(a, false, now)) counters.peerAddressesSkipped++;
        else if (debug && !known) this.ctx.log.debug(`dave: peer added ${formatAddress(a)} (listed by ${formatAddress(from)})`);
      }
    }
    if (becameActive) this.deps.onActive();
  }
}
