/**
 * The node's timers, all on the injected clock: periodic tasks re-armed
 * after each run, one-shot deadlines, and clearAll() for close(). A task
 * that throws is logged and keeps its period.
 */
import type { Clock, Logger } from '../options.js';

export class Timers {
  private readonly handles = new Set<unknown>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` every `ms` until clearAll(). */
  every(ms: number, fn: () => void): void {
    const tick = () => {
      this.handles.delete(handle);
      if (this.stopped) return;
      try {
        fn();
      } catch (err) {
        this.log.error('dave: timer task failed', err);
      }
      if (!this.stopped) {
        handle = this.clock.setTimeout(tick, ms);
        this.handles.add(handle);
      }
    };
    let handle = this.clock.setTimeout(tick, ms);
    this.handles.add(handle);
  }

  /** Runs `fn` once after `ms`; returns a handle for clear(). */
  timeout(fn: () => void, ms: number): unknown {
    const h = this.clock.setTimeout(() => {
      this.handles.delete(h);
      fn();
    }, ms);
    this.handles.add(h);
    return h;
  }

  clear(h: unknown): void {
    this.handles.delete(h);
    this.clock.clearTimeout(h);
  }

  /** Stops every periodic task and clears every pending timer. Timers set later still run. */
  clearAll(): void {
    this.stopped = true;
    for (const h of this.handles) this.clock.clearTimeout(h);
    this.handles.clear();
  }

  /** Pending timers (tests). */
  get size(): number {
    return this.handles.size;
  }
}
