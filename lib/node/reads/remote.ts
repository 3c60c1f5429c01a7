/**
 * Reads from peers, docs/protocol.md §11: a GET to the FANOUT active peers closest to
 * the owner; the first answer that verifies wins and is stored; when every
 * peer asked said not found (or answered with a record that failed), the
 * read fails. GET_ACKs nobody asked for are dropped.
 */
import { MAX_KEY_LEN, OP, PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { type AddrPort, addressKey } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { isNotFound } from '../../wire/message.js';
import { checkBytes, toBytes } from '../../wire/bytes.js';
import { nodeId } from '../../records/record.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';
import { PendingReads, type ReadHandle, readKey } from './pending.js';

/** Most distinct remote reads in flight. */
export const MAX_READS = 4096;

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

export class RemoteReads {
  private readonly reads: PendingReads;

  constructor(
    private readonly ctx: Pick<NodeServices, 'send' | 'timers' | 'intake' | 'trust'>,
    max = MAX_READS,
  ) {
    this.reads = new PendingReads(max);
  }

  /** Takes the GET_ACKs (after trust's challenges, which may claim one too). */
  register(d: Dispatcher): void {
    d.on(OP.GET_ACK, (msg, from) => this.onGetAck(msg.entry, from));
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
    const peers = this.ctx.trust.readTargets(nodeId(publicKey)); // the FANOUT closest active (trust: failing ones skipped)
    if (peers.length === 0) throw new DaveError('ERR_NO_ACTIVE_PEERS', 'no active peers to ask');
    const id = readKey(publicKey, key);
    if (!this.reads.hasRoom(id)) throw new DaveError('ERR_OVERLOADED', 'too many reads in flight');
    const waiting = this.reads.wait(
      id,
      peers.map((p) => p.key),
      timeoutMs,
      signal,
      { set: (fn, ms) => this.ctx.timers.timeout(fn, ms), clear: (h) => this.ctx.timers.clear(h) },
    );
    const msg = { op: OP.GET, pubKey: Uint8Array.from(publicKey), key: Uint8Array.from(key) } as const;
    for (const p of peers) this.ctx.send(msg, p.addr);
    return waiting;
  }

  /**
   * A GET_ACK: verify an answer we asked for, then hand it to every waiting
   * caller. One answer of a read is verified at a time; one that comes
   * while another is being verified waits, and is verified only if that
   * one fails (PendingReads.offer).
   */
  onGetAck(entry: Entry, from: AddrPort): void {
    const id = readKey(entry.dat.pubKey, entry.dat.key);
    const fromKey = addressKey(from);
    if (!this.reads.expects(id, fromKey)) return; // unsolicited, or the read is over
    if (isNotFound(entry)) return this.reads.notFound(id, fromKey);
    // the read captured now: by the time verification ends it may have
    // expired and another read for the same key begun
    const read = this.reads.offer(id, entry, fromKey);
    if (read !== null) this.check(read, id, entry, fromKey);
  }

  private check(read: ReadHandle, id: string, entry: Entry, fromKey: string): void {
    this.ctx.intake.verify(entry.dat, true).then(
      () => {
        this.reads.verified(read, id, true, fromKey);
        this.reads.found(id, entry);
        // stored once the callers have resumed: the store's own work is not the read's
        setImmediate(() => void this.ctx.intake.accept(entry, { verified: true }));
      },
      (err) => {
        this.ctx.intake.countVerifyError(err);
        const next = this.reads.verified(read, id, false, fromKey); // a bad answer counts as none
        if (next !== null) this.check(read, id, next.entry, next.from);
      },
    );
  }

  /** Fails every read (node closing). */
  abortAll(): void {
    this.reads.abortAll();
  }
}
