/**
 * Virtual time: one queue of timers for the whole simulated network,
 * ordered by (due millisecond, insertion order), so a run is a pure
 * function of its seed. Nothing sleeps: `runUntil` jumps from one timer to the next and,
 * after each instant, lets the in-process work it started (promises,
 * stream ticks, setImmediate) run to quiescence before the next.
 */
import type { Clock } from '../node/options.js';

interface Timer {
  fn: () => void;
  cancelled: boolean;
}

/** Virtual epoch: 2023-11-14T22:13:20Z, so record times look real. */
export const SIM_EPOCH_MS = 1_700_000_000_000;

/**
 * Timers fire on whole virtual milliseconds (a delay is rounded up), the
 * resolution of every node's clock: the queue is one FIFO list per due
 * millisecond and a small heap of the due milliseconds, so a timer costs
 * O(1) to add and an instant with thousands of datagrams settles once.
 */
export class VirtualClock implements Clock {
  private t = SIM_EPOCH_MS;
  private readonly buckets = new Map<number, Timer[]>();
  /** Due milliseconds with a bucket, a binary min-heap. */
  private readonly due: number[] = [];
  /** Timers run so far. */
  fired = 0;
  /** Instants run so far (each followed by one settle). */
  instants = 0;

  now(): number {
    return this.t;
  }

  /** Virtual time, ms (whole). */
  get time(): number {
    return this.t;
  }

  /** Virtual ms since the start of the run. */
  get elapsed(): number {
    return this.t - SIM_EPOCH_MS;
  }

  /** Timers waiting. */
  get pending(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length;
    return n;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { fn, cancelled: false };
    const at = this.t + (ms > 0 ? Math.ceil(ms) : 0);
    let b = this.buckets.get(at);
    if (b === undefined) {
      this.buckets.set(at, (b = []));
      this.pushDue(at);
    }
    b.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    if (handle && typeof handle === 'object') (handle as Timer).cancelled = true;
  }

  /** A view of this clock that reads `offsetMs` ahead (negative: behind); timers share the queue. */
  skewed(offsetMs: number): Clock {
    return {
      now: () => this.now() + offsetMs,
      setTimeout: (fn, ms) => this.setTimeout(fn, ms),
      clearTimeout: (h) => this.clearTimeout(h),
    };
  }

  /**
   * Runs every timer due up to `until` (absolute virtual ms), in order
   * (by due millisecond, then the order they were set), settling after
   * each instant; then sets the time to `until`.
   * `stop()` returning true ends the run early (checked after each instant).
   */
  async runUntil(until: number, stop?: () => boolean): Promise<void> {
    await settle();
    for (;;) {
      const at = this.due[0];
      if (at === undefined || at > until) break;
      this.t = at;
      // every timer of this instant (those it sets for the same instant too), then one settle
      const b = this.buckets.get(at)!;
      for (let i = 0; i < b.length; i++) {
        const timer = b[i]!;
        if (timer.cancelled) continue;
        this.fired++;
        timer.fn();
      }
      this.buckets.delete(at);
      this.popDue();
      this.instants++;
      await settle();
      if (stop?.()) return;
    }
    this.t = Math.max(this.t, Math.floor(until));
    await settle();
  }

  private pushDue(x: number): void {
    const h = this.due;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= x) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = x;
  }

  private popDue(): void {
    const h = this.due;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const m = r < h.length && h[r]! < h[l]! ? r : l;
      if (h[m]! >= last) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
  }
}

/**
 * Waits until no setImmediate callback is pending (each turn also drains
 * microtasks and process.nextTick). Bounded: a busy loop of immediates
 * cannot hang the simulation.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await new Promise<void>((r) => setImmediate(r));
    if (!process.getActiveResourcesInfo().includes('Immediate')) return;
  }
}
