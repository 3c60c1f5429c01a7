/**
 * The node's own store as the CLI and the HTTP API see it: records of one
 * owner by key prefix, paged; every record (for a live backup); counts; and
 * storing a record here only, for a node with no active peer yet.
 */
import { FANOUT, PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { checkBytes, equalBytes, toBytes } from '../../wire/bytes.js';
import { nodeId } from '../../records/record.js';
import { type Dat, checkDat } from '../../wire/dat.js';
import type { Entry } from '../../wire/entry.js';
import { storedOrThrow } from '../intake/intake.js';
import type { NodeServices } from '../services/services.js';
import type { VerifyPoolHandle } from '../../workers/verify-pool.js';

export interface LocalRecordsOptions {
  /** Keys starting with these bytes (a string is UTF-8). Default: every key. */
  prefix?: string | Uint8Array;
  /** The previous page's `next` cursor: only records after it. */
  after?: string;
  /** Most records returned. Default 100. */
  limit?: number;
}

/** A page of one owner's records: `next` is the cursor of the page after it, or null. */
export interface LocalRecordsPage {
  entries: Entry[];
  next: string | null;
  /** `next !== null`. */
  more: boolean;
}

/** Entries a page may read beyond its limit that the prefix then filters out. */
export const LIST_SKIP_BUDGET = 256;

export class LocalView {
  constructor(
    private readonly s: Pick<NodeServices, 'id' | 'store' | 'intake'>,
    private readonly pool: Pick<VerifyPoolHandle, 'pending'>,
    /** @throws DaveError ERR_CLOSED when the node is closed */
    private readonly checkOpen: () => void,
  ) {}

  /**
   * Records of `owner` held here whose key starts with `prefix`, a page at
   * a time in store-key order (a hash of owner and key: stable, not
   * alphabetical; each page is sorted by key). The owner's store keys come
   * from the in-memory index, so a page reads at most `limit` +
   * LIST_SKIP_BUDGET entries and holds at most `limit`, whatever the store
   * holds; a prefix that matches few keys may give a short (even empty)
   * page with a `next` cursor. `after` is the previous page's `next`.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE
   */
  async records(owner: Uint8Array, options: LocalRecordsOptions = {}): Promise<LocalRecordsPage> {
    checkBytes(owner, PUBKEY_LEN, 'owner');
    const prefix = toBytes(options.prefix ?? new Uint8Array(0), 'prefix');
    let cursor = options.after === undefined ? undefined : parseCursor(options.after);
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new DaveError('ERR_INVALID_ARGUMENT', 'limit must be a positive integer');
    this.checkOpen();
    const ownerId = nodeId(owner);
    const budget = limit + LIST_SKIP_BUDGET; // entries read that a prefix (or an owner ID twin) filters out
    const found: Entry[] = [];
    let read = 0;
    for (;;) {
      const want = Math.min(limit - found.length, budget - read);
      const { keys, more } = this.s.store.ownerKeys(ownerId, cursor, want);
      const entries = await Promise.all(keys.map((sk) => this.s.store.getByStoreKey(sk)));
      read += keys.length;
      for (const e of entries) {
        if (e === undefined || !equalBytes(e.dat.pubKey, owner)) continue; // gone meanwhile, or another owner with the same ID
        const k = e.dat.key;
        if (k.length >= prefix.length && equalBytes(k.subarray(0, prefix.length), prefix)) found.push(e);
      }
      if (keys.length > 0) cursor = keys[keys.length - 1]!;
      if (!more) return page(found, null);
      if (found.length >= limit || read >= budget) return page(found, cursorText(cursor!));
    }
  }

  /**
   * Every record held here, from a snapshot of the store taken when
   * iteration starts (writes go on meanwhile).
   * @throws DaveError ERR_CLOSED, ERR_DATABASE (while iterating)
   */
  entries(): AsyncIterable<Entry> {
    this.checkOpen();
    return this.s.store.entries();
  }

  count(): number {
    return this.s.store.count();
  }

  /** Verifications waiting or running on the (process-wide) verify pool. */
  verifyQueueLength(): number {
    return this.pool.pending();
  }

  /**
   * Verifies `dat` and stores it here only, sending it nowhere; peers get
   * it from the replication pass once they appear.
   * @throws DaveError ERR_INVALID_ARGUMENT, the verification codes, the
   *   store's refusal codes (ERR_OLDER_THAN_STORED, ERR_DUPLICATE, ...), ERR_CLOSED
   */
  async store(dat: Dat): Promise<void> {
    checkDat(dat);
    this.checkOpen();
    storedOrThrow(await this.s.intake.accept({ dat, replicas: [this.s.id, ...Array<bigint>(FANOUT - 1).fill(0n)] }));
  }
}

function page(entries: Entry[], next: string | null): LocalRecordsPage {
  entries.sort((a, b) => Buffer.compare(a.dat.key, b.dat.key));
  return { entries, next, more: next !== null };
}

/** A cursor: the last store key a page looked at, 16 hex digits. */
function cursorText(sk: bigint): string {
  return sk.toString(16).padStart(16, '0');
}

/** @throws DaveError ERR_INVALID_ARGUMENT */
function parseCursor(text: string): bigint {
  if (typeof text !== 'string' || !/^[0-9a-f]{16}$/.test(text)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'after must be the next cursor of a previous page (16 hex digits)');
  }
  return BigInt('0x' + text);
}
