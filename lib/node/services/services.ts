/**
 * The one port every node module takes: what the flows (peers, intake,
 * reads, writes, replication, trust, views) share. The peer table, the
 * counters, the timings, the log, the timers and the clock's `now`, a
 * way to send a datagram and to open a TCP frame sink, the store, the
 * intake (verify and store) and the trust hooks. Dave builds one and hands
 * it to each module; tests build their own (test/node/support/services.ts).
 */
import type { AddressKey, AddrPort } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { type Message, encodeMessage } from '../../wire/message.js';
import type { Peer, PeerTable } from '../../peers/table.js';
import type { StoreLike } from '../../store/types.js';
import type { Clock, Logger, Timings } from '../options.js';
import type { TcpTransport, UdpTransport } from '../../transport/types.js';
import type { Intake } from '../intake/intake.js';
import type { FrameSink } from '../writes/frame-sink.js';
import { openSink } from '../writes/replica-link.js';
import { type NodeStats, opName } from './stats.js';
import type { Timers } from './timers.js';

/** What a read's peers answered when it got its record: who was asked, who said not found, and the held answers' times by sender. */
export interface ReadAnswers {
  asked: ReadonlySet<AddressKey>;
  notFound: ReadonlySet<AddressKey>;
  held: ReadonlyMap<AddressKey, number>;
}

/** What reads tell trust (docs/trust.md, "Reads teach trust"); NodeTrust implements it. */
export interface ReadObserver {
  /** Read `id` got `entry` from `from`, verified; `answers`: what the others said so far. */
  found(id: string, entry: Entry, from: AddressKey, answers: ReadAnswers): void;
  /** A GET_ACK for no open read (`id`: its read key): maybe a late answer the observer waits for. */
  late(entry: Entry, from: AddressKey, id: string): void;
  /** When every peer asked said not found: the next peers to ask, or none. */
  widen?(ownerId: bigint, asked: ReadonlySet<AddressKey>): Peer[];
}

/**
 * What trust (docs/trust.md) steers in the other flows. With trust off
 * every hook gives godave's choice (node/trust/wiring.ts).
 */
export interface TrustHooks {
  /** A PING went to `peer` at `now` (RTT). */
  onPinged(peer: Peer, now: number): void;
  /** `peer` answered our PING correctly at `now` (RTT). */
  onProved(peer: Peer, now: number): void;
  /** The peers for a PONG list of up to `n`, or undefined for the handshake's random sample. */
  pongPeers(n: number, excludeKey: AddressKey): Peer[] | undefined;
  /** The peers a read of `ownerId`'s record asks. */
  readTargets(ownerId: bigint): Peer[];
  /** Peers that get a batch writer's records besides the replicas (failing replicas' substitutes). */
  substitutes(ownerId: bigint): Peer[];
  /** A record went to `peer` (a replica or a substitute): a challenge may be remembered. */
  sentTo(peer: Peer, entry: Entry): void;
  /** Reads that teach trust, or null (trust off: a read teaches nothing and never asks past its targets). */
  readonly reads: ReadObserver | null;
}

/** Everything but the intake and the trust hooks, which are built on it. */
export interface BaseServices {
  /** This node's ID. */
  readonly id: bigint;
  readonly table: PeerTable;
  readonly counters: NodeStats;
  readonly timings: Timings;
  readonly log: Logger;
  readonly timers: Pick<Timers, 'every' | 'timeout' | 'clear'>;
  readonly store: StoreLike;
  /** The injected clock's time, ms. */
  now(): number;
  /**
   * Encodes and sends one datagram, counting it; a Uint8Array is a message
   * already encoded (its byte 0 is the op), sent as it is. Never throws.
   */
  send(msg: Message | Uint8Array, to: AddrPort): void;
  /** A frame sink to the TCP port of a peer's UDP address, or the error that prevented it. */
  openSink(udpAddr: AddrPort): Promise<FrameSink | Error>;
  /** True once the node began closing. */
  closing(): boolean;
}

export interface NodeServices extends BaseServices {
  /** The one way a record enters the store (acceptBatch: the PUTs of one TCP read). */
  readonly intake: Pick<Intake, 'accept' | 'acceptBatch' | 'verify' | 'countVerifyError'>;
  readonly trust: TrustHooks;
}

/** NodeServices.send over `udp`: encodes, sends, counts; an encoding failure is logged. */
export function udpSender(udp: UdpTransport, counters: NodeStats, log: Logger): (msg: Message | Uint8Array, to: AddrPort) => void {
  return (msg, to) => {
    let bytes: Uint8Array;
    if (msg instanceof Uint8Array) bytes = msg;
    else {
      try {
        bytes = encodeMessage(msg);
      } catch (err) {
        log.warn('dave: could not encode', opName(msg.op), err);
        return;
      }
    }
    const name = opName(bytes[0]!);
    if (name !== undefined && udp.send(bytes, to)) counters.packetsOut[name]++;
  };
}

/** The base services of a node whose datagrams go out on `udp` and whose TCP connections are opened on `tcp`. */
export function baseServices(
  parts: { table: PeerTable; timings: Timings; log: Logger; clock: Clock; udp: UdpTransport; tcp: TcpTransport; store: StoreLike },
  id: bigint,
  counters: NodeStats,
  timers: Timers,
  closing: () => boolean,
): BaseServices {
  const { table, timings, log, clock, udp, tcp, store } = parts;
  return {
    id,
    table,
    counters,
    timings,
    log,
    timers,
    store,
    now: () => clock.now(),
    send: udpSender(udp, counters, log),
    openSink: (addr) => openSink(tcp, addr, timings, clock),
    closing,
  };
}
