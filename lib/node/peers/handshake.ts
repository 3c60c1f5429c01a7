/**
 * The peer handshake, docs/protocol.md §7: a fresh challenge to every peer each PING
 * period; a PONG proves the peer's key (the signature over the challenge
 * and its salt) and carries up to NPEER_LIMIT active peers, which we add.
 * Our own PONG carries our peer list only to peers that proved their key.
 */
import { randomBytes } from 'node:crypto';
import { CHALLENGE_LEN, NPEER_LIMIT, OP, PUBKEY_LEN, SALT_LEN } from '../../constants.js';
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import { equalBytes, toHex } from '../../wire/bytes.js';
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

/**
 * Immediate challenges (a PING answered by our PING at once, docs/protocol.md §7)
 * per second, all addresses together; beyond it a newcomer waits for the PING period.
 */
export const IMMEDIATE_CHALLENGES_PER_S = 16;

export class Handshake {
  private readonly random: (n: number) => Uint8Array;
  private readonly crypto: CryptoSuite;
  /** The current second of immediate challenges: when it began (ms) and how many it spent. */
  private immediateSince = -Infinity;
  private immediateSpent = 0;

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
   * A fresh challenge to every peer, edges and inactive ones included,
   * but an address that has not proved a key only within its PING credit
   * (one per PING it sent, UNPROVEN_PINGS at most, then it is forgotten:
   * docs/protocol.md §7, bounded reflection); then asks an edge for our
   * address when due (docs/protocol.md §8).
   */
  pingAll(): void {
    const usedSpace = BigInt(this.ctx.store.usedSpace());
    const capacity = BigInt(this.ctx.store.capacity());
    const { table } = this.ctx;
    const now = this.ctx.now();
    for (const peer of table.all()) {
      const due = table.newPeriod(peer, now, this.ctx.timings);
      if (due === 'forget') {
        table.remove(peer.key);
        continue;
      }
      if (due === 'skip') continue;
      this.pingOne(peer, usedSpace, capacity, now);
    }
    this.deps.discovery.maybeAsk();
  }

  /** A fresh challenge to one peer now (an edge added at run time, a newcomer that PINGed us: no wait for the next period). */
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
      // a new address earns PINGs only by PINGing (table.pinged): a spoofed one gets one
      peer = table.add(from, false, now, 0);
      if (!peer) return void counters.droppedQueueFull++;
      if (!isSilent(this.ctx.log.debug)) this.ctx.log.debug(`dave: peer added ${formatAddress(from)} (it pinged us)`);
    }
    table.pinged(peer, now, msg.usedSpace, msg.capacity);
    this.deps.discovery.pinged(from);
    // a newcomer proves its key now, not a PING period later, so the reads it
    // makes once it has our PONG are answered; our PING goes first, so its PONG
    // to us leaves before any GET it sends on taking ours
    if (table.mayChallengeNow(peer)) this.challengeNow(peer, now);
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

  /**
   * Our challenge to a newcomer that just PINGed us, within the per-second
   * budget (a spoofed PING must not make us PING many addresses at once);
   * beyond it, or when the newcomer's credit is spent, the PING period's
   * challenge still comes. Our PING is the size of the PING that caused it.
   */
  private challengeNow(peer: Peer, now: number): void {
    if (now - this.immediateSince >= 1_000) {
      this.immediateSince = now;
      this.immediateSpent = 0;
    }
    if (this.immediateSpent >= IMMEDIATE_CHALLENGES_PER_S) return void this.ctx.counters.challengesDeferred++;
    this.immediateSpent++;
    this.ping(peer);
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
    if (peer.expectedKey !== null && !equalBytes(peer.expectedKey, s.pubKey)) return this.wrongKey(peer, s.pubKey);
    if (!table.admitKey(peer, nodeId(s.pubKey), now)) return void counters.peersRefused++;
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

  /** An edge from a ticket proved another key than the ticket's: refused, said once per change. */
  private wrongKey(peer: Peer, got: Uint8Array): void {
    this.ctx.counters.edgeKeyMismatches++;
    const reason = `ticket key mismatch: the ticket says ${toHex(peer.expectedKey!)}, the node at this address proved ${toHex(got)}`;
    if (peer.refusal === reason) return;
    this.ctx.table.setRefusal(peer, reason);
    this.ctx.log.warn(
      `dave: edge ${formatAddress(peer.addr)} refused: ${reason}; not joined through it. ` +
        'Check that the ticket is the one that node prints now (dave start shows it), or join with a fresh one.',
    );
  }
}
