/**
 * What the node tells its user about its peers: PeerInfo per peer, the
 * network's summed used space and capacity, and waiting for a number of
 * active peers.
 */
import { DaveError } from '../../errors.js';
import { formatAddress } from '../../wire/address.js';
import type { Peer, PeerTable } from '../../peers/table.js';

export interface PeerInfo {
  /** "1.2.3.4:1618" or "[::1]:1618". */
  address: string;
  /** Node ID; 0n until the peer proved its key. */
  id: bigint;
  edge: boolean;
  active: boolean;
  /** Last datagram from the peer, ms since the epoch. */
  lastSeen: number;
  /** Local score in (0, 1), 0.5 with no evidence (docs/trust.md); never sent. */
  reliability: number;
  /** Smoothed PING→PONG round trip, ms; null before the first. */
  rttMs: number | null;
  /** Storage challenges sent to the peer, and their verdicts. */
  challenges: { sent: number; passed: number; failed: number };
}

export function peerInfo(p: Peer): Omit<PeerInfo, 'reliability' | 'rttMs' | 'challenges'> {
  return { address: formatAddress(p.addr), id: p.id, edge: p.edge, active: p.active, lastSeen: p.lastSeen };
}

function toNumber(x: bigint): number {
  return x < 0n ? 0 : x > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(x);
}

/** Our used space and capacity plus those the active peers reported in their PINGs. */
export function networkTotals(usedSpace: number, capacity: number, active: Iterable<Peer>): { usedSpace: number; capacity: number } {
  for (const p of active) {
    usedSpace += toNumber(p.usedSpace);
    capacity += toNumber(p.capacity);
  }
  return { usedSpace, capacity };
}

/** A bound on a wait: on the node's clock, with the message of its ERR_TIMEOUT. */
export interface WaitTimeout {
  ms: number;
  clock: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  message(): string;
}

/**
 * Callers of waitForActivePeers; notify() re-checks them all. A peer counts
 * when it is ready (PeerTable.readyCount): active, proved its key, and
 * answered by us, so it has proved ours and will answer our reads.
 */
export class ActiveWaiters {
  private readonly checks = new Set<() => void>();

  constructor(
    private readonly table: Pick<PeerTable, 'readyCount'>,
    private readonly closing: () => boolean,
    /** Called after each notify(), e.g. to announce the first ready peer. */
    private readonly onNotify: () => void = () => {},
  ) {}

  /**
   * Resolves once at least `count` peers are ready.
   * @throws (rejects) DaveError ERR_ABORTED (signal), ERR_CLOSED (the node
   *   closed), ERR_TIMEOUT (`timeout.ms` passed on `timeout.clock`, with `timeout.message()`)
   */
  wait(count: number, signal?: AbortSignal, timeout?: WaitTimeout): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: unknown;
      const check = () => {
        if (this.closing()) finish(new DaveError('ERR_CLOSED', 'node closed while waiting for active peers'));
        else if (signal?.aborted) finish(new DaveError('ERR_ABORTED', 'wait aborted'));
        else if (this.table.readyCount() >= count) finish(null);
      };
      const finish = (err: DaveError | null) => {
        if (timer !== undefined) timeout!.clock.clearTimeout(timer);
        timer = undefined;
        this.checks.delete(check);
        signal?.removeEventListener('abort', check);
        if (err) reject(err);
        else resolve();
      };
      this.checks.add(check);
      signal?.addEventListener('abort', check, { once: true });
      check();
      if (timeout && this.checks.has(check)) {
        timer = timeout.clock.setTimeout(() => {
          timer = undefined;
          if (this.checks.has(check)) finish(new DaveError('ERR_TIMEOUT', timeout.message()));
        }, timeout.ms);
      }
    });
  }

  notify(): void {
    for (const check of [...this.checks]) check();
    if (!this.closing()) this.onNotify();
  }
}
