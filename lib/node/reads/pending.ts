/**
 * Remote reads in flight, docs/protocol.md §11: who was asked, who said not found, and
 * the callers waiting. One pending read per (pubKey, key); concurrent
 * callers share it. Bounded: at most `max` distinct reads in flight.
 */
import type { AddressKey } from '../../wire/address.js';
import { DaveError } from '../../errors.js';
import type { Entry } from '../../wire/entry.js';
import type { ReadAnswers } from '../services/services.js';

interface Waiter {
  resolve: (e: Entry) => void;
  reject: (err: DaveError) => void;
  cleanup: () => void;
}

/** A found answer waiting its turn to be verified. */
export interface HeldAnswer {
  entry: Entry;
  from: AddressKey;
  /** The entry as it came, encoded, when the caller has it. */
  bytes?: Uint8Array;
}

interface PendingRead {
  asked: Set<AddressKey>;
  notFound: Set<AddressKey>;
  waiters: Set<Waiter>;
  /** Found answers being verified. */
  verifying: number;
  /** Found answers that came while another was being verified (offer). */
  held: HeldAnswer[];
  /** Asks more peers when every one asked said not found; returns their keys (none: the read fails). */
  widen?: (asked: ReadonlySet<AddressKey>) => AddressKey[];
  /** Widenings left. */
  waves: number;
  /** Every peer of the first wave said not found: the read's answer is "not found" unless a later peer has it. */
  closestSaidNo: boolean;
  /** The deadline of the wave asked last (widening only), and whether it has passed. */
  waveTimer: unknown;
  waveExpired: boolean;
  timers: Timers;
}

type Timers = { set(fn: () => void, ms: number): unknown; clear(h: unknown): void };

/** Most times a read asks the next peers after every one asked said not found (trust on). */
export const MAX_WIDEN = 2;

/**
 * How long a widened wave is waited for. The closest peers have already said
 * not found, so a silent peer further out (gone, or its datagram lost) ends
 * the wave as a not-found rather than holding the read to its timeout.
 */
export const WAVE_WAIT_MS = 1_000;

const NONE_HELD: ReadonlyMap<AddressKey, number> = new Map();

/** A pending read, as offer() and verified() hand it out. */
export type ReadHandle = object;

/**
 * The Map key of a read of (pubKey, key): each byte one character (the
 * public key has a fixed length, so the pair reads back unambiguously).
 * Never shown, only compared: a third the cost of hex, made three times per read.
 */
export function readKey(pubKey: Uint8Array, key: Uint8Array): string {
  return String.fromCharCode.apply(null, pubKey as unknown as number[]) + String.fromCharCode.apply(null, key as unknown as number[]);
}

export class PendingReads {
  private readonly reads = new Map<string, PendingRead>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.reads.size;
  }

  /** True when the read exists or there is room for it. */
  hasRoom(id: string): boolean {
    return this.reads.has(id) || this.reads.size < this.max;
  }

  /**
   * Registers a caller for `id`, having asked `peers` (address keys).
   * Settles with the entry, or ERR_NOT_FOUND / ERR_TIMEOUT / ERR_ABORTED
   * (the caller's signal) / ERR_CLOSED (abortAll).
   */
  wait(
    id: string,
    peers: AddressKey[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    timers: Timers,
    widen?: (asked: ReadonlySet<AddressKey>) => AddressKey[],
  ): Promise<Entry> {
    let read = this.reads.get(id);
    if (!read) {
      read = { asked: new Set(), notFound: new Set(), waiters: new Set(), verifying: 0, held: [], widen, waves: MAX_WIDEN, closestSaidNo: false, waveTimer: undefined, waveExpired: false, timers };
      this.reads.set(id, read);
    }
    for (const p of peers) read.asked.add(p);
    const r = read;
    return new Promise<Entry>((resolve, reject) => {
      const onAbort = () => finish(new DaveError('ERR_ABORTED', 'get aborted'));
      // once the closest peers all said not found, the truth at the deadline is "not found"
      const expired = () =>
        r.closestSaidNo
          ? new DaveError('ERR_NOT_FOUND', `the closest peers said not found; the next ones asked did not answer within ${timeoutMs} ms`)
          : new DaveError('ERR_TIMEOUT', `get timed out after ${timeoutMs} ms`);
      const timer = timers.set(() => finish(expired()), timeoutMs);
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          timers.clear(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const finish = (err: DaveError) => {
        if (!r.waiters.delete(waiter)) return;
        waiter.cleanup();
        if (r.waiters.size === 0 && this.reads.get(id) === r) this.drop(id, r);
        reject(err);
      };
      r.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** True when `from` was asked for `id` and the read is still open. */
  expects(id: string, from: AddressKey): boolean {
    return this.reads.get(id)?.asked.has(from) ?? false;
  }

  /** A not-found answer from `from`; fails the read when every asked peer said so. */
  notFound(id: string, from: AddressKey): void {
    const read = this.reads.get(id);
    if (!read || !read.asked.has(from)) return;
    read.notFound.add(from);
    if ((read.notFound.size >= read.asked.size || read.waveExpired) && read.verifying === 0) this.waveOver(id, read);
  }

  /**
   * Every peer of the last wave said not found, or (a widened wave) its
   * wait is over: ask the next peers (trust: past the ones that failed),
   * MAX_WIDEN times, before the read fails with ERR_NOT_FOUND.
   */
  private waveOver(id: string, read: PendingRead): void {
    read.timers.clear(read.waveTimer);
    read.waveTimer = undefined;
    read.waveExpired = false;
    const more = read.waves > 0 ? (read.widen?.(read.asked) ?? []) : [];
    read.waves--;
    if (more.length > 0) {
      read.closestSaidNo = true;
      for (const p of more) read.asked.add(p);
      read.waveTimer = read.timers.set(() => {
        read.waveTimer = undefined;
        // a found answer being verified decides; if it fails, verified() ends the wave
        if (this.reads.get(id) !== read) return;
        read.waveExpired = true; // the silent ones end the wave (they are not counted as not found)
        if (read.verifying === 0) this.waveOver(id, read);
      }, WAVE_WAIT_MS);
      return;
    }
    const why = read.closestSaidNo ? 'every peer asked said not found (or, past the closest, did not answer)' : 'every peer asked said not found';
    this.settle(id, (w) => w.reject(new DaveError('ERR_NOT_FOUND', why)));
  }

  private drop(id: string, read: PendingRead): void {
    read.timers.clear(read.waveTimer);
    read.waveTimer = undefined;
    this.reads.delete(id);
  }

  /**
   * A found answer from `from`: the read's handle when it is to be verified
   * now (not-founds then wait for it; the handle is for verified(), as the
   * read may end and another start for the same key before the
   * verification does), or null when no read is open for `id` or
   * another answer of it is being verified. The read needs one answer, so
   * later ones are held (at most one per peer asked) and verified only if
   * the one before fails: verified() hands them out.
   */
  offer(id: string, entry: Entry, from: AddressKey, bytes?: Uint8Array): ReadHandle | null {
    const read = this.reads.get(id);
    if (!read) return null;
    if (read.verifying > 0) {
      if (read.held.length < read.asked.size) read.held.push(bytes === undefined ? { entry, from } : { entry, from, bytes });
      return null;
    }
    read.verifying++;
    return read;
  }

  /**
   * The verification started by offer() is over. A failed
   * answer counts as a not-found from `from`, for that read only; then the
   * next held answer, if any, is returned: the caller verifies it and calls
   * verified() again. After a good answer held ones are dropped.
   */
  verified(handle: ReadHandle | null, id: string, ok: boolean, from: AddressKey): HeldAnswer | null {
    if (handle === null) return null;
    const read = handle as PendingRead;
    read.verifying--;
    if (ok || this.reads.get(id) !== read) {
      read.held.length = 0;
      return null;
    }
    const next = read.held.shift() ?? null;
    if (next !== null) read.verifying++; // counted before the not-found below can settle the read
    this.notFound(id, from);
    return next;
  }

  /**
   * What the read's peers answered so far (for reads that teach trust):
   * those asked, those that said not found, and the found answers held
   * unverified, by sender and record time. Call before verified(). The
   * sets are the read's own (no copies: a read that got its answer
   * changes them no more): read them in the same turn, keep none.
   */
  answers(handle: ReadHandle | null): ReadAnswers | null {
    if (handle === null) return null;
    const read = handle as PendingRead;
    const held = read.held.length === 0 ? NONE_HELD : new Map(read.held.map((h) => [h.from, h.entry.dat.time]));
    return { asked: read.asked, notFound: read.notFound, held };
  }

  /** A verified answer: every caller gets it. */
  found(id: string, entry: Entry): void {
    this.settle(id, (w) => w.resolve(entry));
  }

  private settle(id: string, fn: (w: Waiter) => void): void {
    const read = this.reads.get(id);
    if (!read) return;
    this.drop(id, read);
    for (const w of read.waiters) {
      w.cleanup();
      fn(w);
    }
    read.waiters.clear();
  }

  /** Fails every read with ERR_CLOSED (node closing). */
  abortAll(): void {
    for (const id of [...this.reads.keys()]) {
      this.settle(id, (w) => w.reject(new DaveError('ERR_CLOSED', 'node is closed')));
    }
  }
}
