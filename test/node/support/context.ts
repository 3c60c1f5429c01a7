/**
 * A NodeContext for direct tests of the node's protocol modules: a real
 * peer table, fresh counters, a settable `now`, and a `send` that records
 * what would have gone out.
 */
import type { AddrPort } from '../../../lib/wire/address.js';
import type { Message } from '../../../lib/wire/message.js';
import { PeerTable } from '../../../lib/peers/table.js';
import type { NodeContext } from '../../../lib/node/services/context.js';
import { DEFAULT_TIMINGS, type Timings, silentLogger } from '../../../lib/node/options.js';
import { newStats } from '../../../lib/node/services/stats.js';

export interface TestContext extends NodeContext {
  sent: { msg: Message; to: AddrPort }[];
  time: number;
  closed: boolean;
}

export function testContext(timings: Partial<Timings> = {}, table = new PeerTable({ maxPerHost: 100 })): TestContext {
  const ctx: TestContext = {
    table,
    counters: newStats(),
    timings: { ...DEFAULT_TIMINGS, ...timings },
    log: silentLogger,
    sent: [],
    time: 0,
    closed: false,
    now: () => ctx.time,
    send: (msg, to) => void ctx.sent.push({ msg, to }),
    closing: () => ctx.closed,
  };
  return ctx;
}
