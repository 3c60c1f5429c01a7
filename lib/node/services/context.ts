/**
 * What the node's protocol modules (handshake, discovery, GET serving, UDP
 * PUT, intake, remote reads) share: the peer table, the counters, the
 * timings, the log, the clock's `now`, and a way to send a datagram. Dave
 * builds one NodeContext and hands it to each; tests build their own.
 */
import type { AddrPort } from '../../wire/address.js';
import { type Message, encodeMessage } from '../../wire/message.js';
import type { PeerTable } from '../../peers/table.js';
import type { Logger, Timings } from '../options.js';
import type { UdpTransport } from '../../transport/types.js';
import { type NodeStats, opName } from './stats.js';

export interface NodeContext {
  readonly table: PeerTable;
  readonly counters: NodeStats;
  readonly timings: Timings;
  readonly log: Logger;
  /** The injected clock's time, ms. */
  now(): number;
  /** Encodes and sends one datagram, counting it. Never throws. */
  send(msg: Message, to: AddrPort): void;
  /** True once the node began closing. */
  closing(): boolean;
}

/** NodeContext.send over `udp`: encodes, sends, counts; an encoding failure is logged. */
export function udpSender(udp: UdpTransport, counters: NodeStats, log: Logger): (msg: Message, to: AddrPort) => void {
  return (msg, to) => {
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(msg);
    } catch (err) {
      log.warn('dave: could not encode', opName(msg.op), err);
      return;
    }
    if (udp.send(bytes, to)) counters.packetsOut[opName(msg.op)!]++;
  };
}

/** The context of a node whose datagrams go out on `udp`. */
export function nodeContext(
  parts: { table: PeerTable; timings: Timings; log: Logger; clock: { now(): number }; udp: UdpTransport },
  counters: NodeStats,
  closing: () => boolean,
): NodeContext {
  const { table, timings, log, clock, udp } = parts;
  return { table, counters, timings, log, now: () => clock.now(), send: udpSender(udp, counters, log), closing };
}
