/**
 * Virtual time: one queue of timers for the whole simulated network,
 * ordered by (time, insertion order), so a run is a pure function of its
 * seed. Nothing sleeps: `runUntil` jumps from one timer to the next and,
 * after each instant, lets the in-process work it started (promises,
 * stream ticks, setImmediate) run to quiescence before the next.
 */
import type { Clock } from '../node/options.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Virtual epoch: 2023-11-14T22:13:20Z, so record times look real. */
export const SIM_EPOCH_MS = 1_700_000_000_000;

export class VirtualClock implements Clock {
  private t = SIM_EPOCH_MS;
  private seq = 0;
  private heap: Timer[] = [];
  /** Timers run so far. */
  fired = 0;

  now(): number {
    return Math.floor(this.t);
  }

  /** Exact virtual time (fractional ms). */
  get time(): number {
    return this.t;
  }

  /** Virtual ms since the start of the run. */
  get elapsed(): number {
    return this.t - SIM_EPOCH_MS;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
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
   * Runs every timer due up to `until` (absolute virtual ms), in order,
   * settling after each instant; then sets the time to `until`.
   * `stop()` returning true ends the run early (checked after each instant).
   */
  async runUntil(until: number, stop?: () => boolean): Promise<void> {
    await settle();
    for (;;) {
      const top = this.peek();
      if (top === undefined || top.at > until) break;
      this.t = top.at;
      // every timer of this instant, then one settle
      while (this.heap.length > 0 && this.heap[0]!.at === this.t) {
        const timer = this.pop()!;
        if (timer.cancelled) continue;
        this.fired++;
        timer.fn();
      }
      await settle();
      if (stop?.()) return;
    }
    this.t = Math.max(this.t, until);
    await settle();
  }

  private peek(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(x: Timer): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
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
