/**
 * The receive path's switch: a datagram from our own address is dropped,
 * one that does not decode is counted as malformed, every other goes to the
 * module of its op. Never throws: a handler's bug is logged.
 */
import { OP } from '../../constants.js';
import type { AddrPort } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { type Message, decodeMessage } from '../../wire/message.js';
import type { NodeContext } from './context.js';
import type { AddressDiscovery } from '../peers/discovery.js';
import type { Handshake } from '../peers/handshake.js';
import type { RemoteReads } from '../reads/remote.js';
import type { GetServer } from '../reads/serve.js';
import { opName } from './stats.js';
import type { UdpPuts } from '../intake/udp-put.js';

export interface Handlers {
  readonly handshake: Pick<Handshake, 'onPing' | 'onPong'>;
  readonly udpPuts: Pick<UdpPuts, 'onPut'>;
  readonly getServer: Pick<GetServer, 'onGet'>;
  readonly reads: Pick<RemoteReads, 'onGetAck'>;
  /** Trust: a GET_ACK may answer a storage challenge (docs/trust.md). */
  readonly challenges?: { onGetAck(entry: Entry, from: AddrPort): void };
  readonly discovery: Pick<AddressDiscovery, 'isOwnAddress' | 'onRequest' | 'onAnswer'>;
}

/** The node's onmessage: decodes and hands each datagram to its handler. */
export function dispatcher(ctx: NodeContext, h: Handlers): (data: Uint8Array, from: AddrPort) => void {
  const { counters, log } = ctx;
  return (data, from) => {
    if (ctx.closing()) return;
    if (h.discovery.isOwnAddress(from)) return void counters.droppedOwnAddress++;
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch {
      return void counters.malformed++;
    }
    counters.packetsIn[opName(msg.op)!]++;
    try {
      switch (msg.op) {
        case OP.PING:
          return h.handshake.onPing(msg, from);
        case OP.PONG:
          return h.handshake.onPong(msg, from);
        case OP.PUT:
          return h.udpPuts.onPut(msg.entry, from);
        case OP.GET:
          return h.getServer.onGet(msg, from);
        case OP.GET_ACK:
          h.challenges?.onGetAck(msg.entry, from);
          return h.reads.onGetAck(msg.entry, from);
        case OP.GETMYADDRPORT:
          return h.discovery.onRequest(from);
        case OP.GETMYADDRPORT_ACK:
          return h.discovery.onAnswer(msg.addr, from);
      }
    } catch (err) {
      // a handler bug must not take the socket down
      log.error('dave: handler failed', err);
    }
  };
}
