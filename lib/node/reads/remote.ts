/**
 * Reads from peers, docs/protocol.md §11: a GET to the FANOUT active peers closest to
 * the owner; the first answer that verifies wins and is stored; when every
 * peer asked said not found (or answered with a record that failed), the
 * read fails. GET_ACKs nobody asked for are dropped.
 */
import { MAX_KEY_LEN, OP, PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { type AddressKey, type AddrPort, addressKey } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { encodeMessage, isNotFound } from '../../wire/message.js';
import { checkBytes, toBytes } from '../../wire/bytes.js';
import { nodeId } from '../../records/record.js';
import { EntryBatch } from '../../records/entry-batch.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';
import { PendingReads, type ReadHandle, readKey } from './pending.js';

/** Most distinct remote reads in flight. */
export const MAX_READS = 4096;

export type { ReadObserver } from '../services/services.js';

export interface GetOptions {
  signal?: AbortSignal;
  /** Default: timings.getTimeoutMs (5 s). */
  timeoutMs?: number;
}

/**
 * The arguments of Dave.get checked: the key as bytes and the timeout.
 * @throws DaveError ERR_INVALID_ARGUMENT; ERR_ABORTED when the signal already fired
 */
export function checkGet(
  publicKey: Uint8Array,
  key: string | Uint8Array,
  options: GetOptions,
  defaultTimeoutMs: number,
): { key: Uint8Array; timeoutMs: number } {
  checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
  const k = toBytes(key, 'key');
  if (k.length > MAX_KEY_LEN) throw new DaveError('ERR_INVALID_ARGUMENT', `key is ${k.length} bytes, at most ${MAX_KEY_LEN}`);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) throw new DaveError('ERR_INVALID_ARGUMENT', 'timeoutMs must be a positive number');
  if (options.signal?.aborted) throw new DaveError('ERR_ABORTED', 'get aborted');
  return { key: k, timeoutMs };
}

/** Verified answers stored together: the most in one batch, and the longest one waits, ms. */
export const STORE_BATCH = 256;
export const STORE_WAIT_MS: number = 10;

export class RemoteReads {
  private readonly reads: PendingReads;
  /** Verified answers waiting for the store (storeLater). */
  private storing: EntryBatch | null = null;
  /** The reads' deadlines, on the node's timers. */
  private readonly timers: { set(fn: () => void, ms: number): unknown; clear(h: unknown): void };

  constructor(
    private readonly ctx: Pick<NodeServices, 'send' | 'timers' | 'intake' | 'trust'>,
    max = MAX_READS,
  ) {
    this.reads = new PendingReads(max);
    this.timers = { set: (fn, ms) => ctx.timers.timeout(fn, ms), clear: (h) => ctx.timers.clear(h) };
  }

  /** Takes the GET_ACKs (after trust's challenges, which may claim one too). */
  register(d: Dispatcher): void {
    // the datagram's Entry bytes (after op and length, docs/protocol.md §6) are the record's stored form
    d.on(OP.GET_ACK, (msg, from, data) => this.onGetAck(msg.entry, from, data.subarray(3)));
  }

  /** Distinct reads in flight. */
  get size(): number {
    return this.reads.size;
  }

  /**
   * Asks the closest active peers for (publicKey, key).
   * @throws DaveError ERR_NO_ACTIVE_PEERS, ERR_OVERLOADED (too many reads);
   *   rejects with ERR_NOT_FOUND, ERR_TIMEOUT, ERR_ABORTED (signal), ERR_CLOSED
   */
  ask(publicKey: Uint8Array, key: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<Entry> {
    const ownerId = nodeId(publicKey);
    const peers = this.ctx.trust.readTargets(ownerId); // the FANOUT closest active (trust: failing ones skipped)
    if (peers.length === 0) throw new DaveError('ERR_NO_ACTIVE_PEERS', 'no active peers to ask');
    const id = readKey(publicKey, key);
    if (!this.reads.hasRoom(id)) throw new DaveError('ERR_OVERLOADED', 'too many reads in flight');
    // encoded once for every peer asked (a copy: the caller's arrays may change after the call)
    const get = encodeMessage({ op: OP.GET, pubKey: publicKey, key });
    const teach = this.ctx.trust.reads;
    const waiting = this.reads.wait(
      id,
      peers.map((p) => p.key),
      timeoutMs,
      signal,
      this.timers,
      teach?.widen === undefined
        ? undefined
        : (asked) => {
            // trust: once every peer asked said not found, the next closest (docs/trust.md)
            const more = teach.widen!(ownerId, asked);
            for (const p of more) this.ctx.send(get, p.addr);
            return more.map((p) => p.key);
          },
    );
    for (const p of peers) this.ctx.send(get, p.addr);
    return waiting;
  }

  /**
   * A GET_ACK: verify an answer we asked for, then hand it to every waiting
   * caller. One answer of a read is verified at a time; one that comes
   * while another is being verified waits, and is verified only if that
   * one fails (PendingReads.offer).
   */
  onGetAck(entry: Entry, from: AddrPort, bytes?: Uint8Array): void {
    const id = readKey(entry.dat.pubKey, entry.dat.key);
    const fromKey = addressKey(from);
    if (!this.reads.expects(id, fromKey)) return void this.ctx.trust.reads?.late(entry, fromKey, id); // unsolicited, or the read is over
    if (isNotFound(entry)) return this.reads.notFound(id, fromKey);
    // the read captured now: by the time verification ends it may have
    // expired and another read for the same key begun
    const read = this.reads.offer(id, entry, fromKey, bytes);
    if (read !== null) this.check(read, id, entry, fromKey, bytes);
  }

  /**
   * `bytes`: `entry` encoded, as it came (a view of the datagram, which
   * nothing writes to; the caller's entry is its own decoded copy): stored
   * as they are, not encoded again.
   */
  private check(read: ReadHandle, id: string, entry: Entry, fromKey: AddressKey, bytes: Uint8Array | undefined): void {
    this.ctx.intake.verify(entry.dat, true).then(
      () => {
        const observer = this.ctx.trust.reads;
        const answers = observer !== null ? this.reads.answers(read) : null;
        this.reads.verified(read, id, true, fromKey);
        if (answers !== null) observer!.found(id, entry, fromKey, answers);
        this.reads.found(id, entry);
        // stored once the callers have resumed: the store's own work is not the read's
        if (bytes === undefined) setImmediate(() => void this.ctx.intake.accept(entry, { verified: true }));
        else this.storeLater(bytes);
      },
      (err) => {
        this.ctx.intake.countVerifyError(err);
        const next = this.reads.verified(read, id, false, fromKey); // a bad answer counts as none
        if (next !== null) this.check(read, id, next.entry, next.from, next.bytes);
      },
    );
  }

  /**
   * Queues a verified answer's bytes for the store. The answers of the
   * reads of STORE_WAIT_MS go to the store as one batch (one database
   * batch: with sync on, one fsync for them all), at most STORE_BATCH
   * answers; the store's work is not the read's.
   */
  private storeLater(bytes: Uint8Array): void {
    const batch = (this.storing ??= new EntryBatch());
    // (the bytes decoded as the entry, so add() takes them)
    if (!batch.add(bytes)) return;
    if (batch.count >= STORE_BATCH) return this.storeNow();
    if (batch.count === 1) {
      if (STORE_WAIT_MS === 0) setImmediate(() => this.storeNow());
      else this.ctx.timers.timeout(() => this.storeNow(), STORE_WAIT_MS);
    }
  }

  private storeNow(): void {
    const batch = this.storing;
    this.storing = null;
    if (batch !== null && batch.count > 0) void this.ctx.intake.acceptBatch(batch, { verified: true });
  }

  /** Fails every read (node closing). */
  abortAll(): void {
    this.reads.abortAll();
  }
}
