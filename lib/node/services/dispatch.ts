/**
 * The receive path's one dispatcher: each flow registers its handlers by
 * op (Dispatcher.on); a datagram from our own address is dropped, one that
 * does not decode is counted as malformed, every other goes to the
 * handlers of its op, in the order they registered. The dispatcher knows
 * no flow. Never throws: a handler's bug is logged.
 */
import type { AddrPort } from '../../wire/address.js';
import { type Message, decodeMessage } from '../../wire/message.js';
import type { NodeServices } from './services.js';
import { opName } from './stats.js';

type Op = Message['op'];
/**
 * A handler of the messages of one op; `data` is the datagram it was
 * decoded from (a handler may keep views of it: nothing writes to it).
 */
export type Handler<O extends Op> = (msg: Extract<Message, { op: O }>, from: AddrPort, data: Uint8Array) => void;

export class Dispatcher {
  private readonly handlers = new Map<Op, Handler<Op>[]>();

  constructor(
    private readonly s: Pick<NodeServices, 'counters' | 'log' | 'closing'>,
    /** True for a source to drop unread (our own address, docs/protocol.md §8). */
    private readonly dropFrom: (from: AddrPort) => boolean,
  ) {}

  /** Adds a handler for `op`'s messages, after those registered before it. */
  on<O extends Op>(op: O, handler: Handler<O>): void {
    const list = this.handlers.get(op) ?? [];
    list.push(handler as unknown as Handler<Op>);
    this.handlers.set(op, list);
  }

  /** The node's onmessage: decodes and hands each datagram to its handlers. */
  readonly receive = (data: Uint8Array, from: AddrPort): void => {
    const { counters, log } = this.s;
    if (this.s.closing()) return;
    if (this.dropFrom(from)) return void counters.droppedOwnAddress++;
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch {
      return void counters.malformed++;
    }
    counters.packetsIn[opName(msg.op)!]++;
    const list = this.handlers.get(msg.op);
    if (list === undefined) return;
    for (const h of list) {
      try {
        h(msg, from, data);
      } catch (err) {
        // a handler bug must not take the socket down
        log.error('dave: handler failed', err);
      }
    }
  };
}
