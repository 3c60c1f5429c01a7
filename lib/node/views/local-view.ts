/**
 * The node's own store as the CLI and the HTTP API see it: records of one
 * owner by key prefix, paged; every record (for a live backup); counts; and
 * storing a record here only, for a node with no active peer yet.
 */
import { FANOUT, PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { checkBytes, equalBytes, toBytes } from '../../wire/bytes.js';
import { type Dat, checkDat } from '../../wire/dat.js';
import type { Entry } from '../../wire/entry.js';
import type { StoreLike } from '../../store/types.js';
import type { Intake } from '../intake/intake.js';
import type { VerifyPoolHandle } from '../../workers/verify-pool.js';

export interface LocalRecordsOptions {
  /** Keys starting with these bytes (a string is UTF-8). Default: every key. */
  prefix?: string | Uint8Array;
  /** Only keys after this one (bytewise): the last key of the previous page. */
  after?: string | Uint8Array;
  /** Most records returned. Default 100. */
  limit?: number;
}

export interface LocalViewDeps {
  readonly store: StoreLike;
  readonly pool: Pick<VerifyPoolHandle, 'pending'>;
  readonly intake: Pick<Intake, 'verify' | 'put'>;
  /** This node's ID. */
  readonly id: bigint;
  /** @throws DaveError ERR_CLOSED when the node is closed */
  checkOpen(): void;
}

export class LocalView {
  constructor(private readonly d: LocalViewDeps) {}

  /**
   * Records of `owner` held here whose key starts with `prefix`, in key
   * order (bytewise), at most `limit` after the key `after`. Scans the
   * whole store (records are kept in hash order): O(records held); `more`
   * says whether a next page exists.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE
   */
  async records(owner: Uint8Array, options: LocalRecordsOptions = {}): Promise<{ entries: Entry[]; more: boolean }> {
    checkBytes(owner, PUBKEY_LEN, 'owner');
    const prefix = toBytes(options.prefix ?? new Uint8Array(0), 'prefix');
    const after = options.after === undefined ? undefined : toBytes(options.after, 'after');
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new DaveError('ERR_INVALID_ARGUMENT', 'limit must be a positive integer');
    this.d.checkOpen();
    const found: Entry[] = [];
    for await (const e of this.d.store.entries()) {
      const k = e.dat.key;
      if (!equalBytes(e.dat.pubKey, owner) || k.length < prefix.length || !equalBytes(k.subarray(0, prefix.length), prefix)) continue;
      if (after !== undefined && Buffer.compare(k, after) <= 0) continue;
      found.push(e);
    }
    found.sort((a, b) => Buffer.compare(a.dat.key, b.dat.key));
    return { entries: found.slice(0, limit), more: found.length > limit };
  }

  /**
   * Every record held here, from a snapshot of the store taken when
   * iteration starts (writes go on meanwhile).
   * @throws DaveError ERR_CLOSED, ERR_DATABASE (while iterating)
   */
  entries(): AsyncIterable<Entry> {
    this.d.checkOpen();
    return this.d.store.entries();
  }

  count(): number {
    return this.d.store.count();
  }

  /** Verifications waiting or running on the (process-wide) verify pool. */
  verifyQueueLength(): number {
    return this.d.pool.pending();
  }

  /**
   * Verifies `dat` and stores it here only, sending it nowhere; peers get
   * it from the replication pass once they appear.
   * @throws DaveError ERR_INVALID_ARGUMENT, the verification codes, the
   *   store's refusal codes (ERR_OLDER_THAN_STORED, ERR_DUPLICATE, ...), ERR_CLOSED
   */
  async store(dat: Dat): Promise<void> {
    checkDat(dat);
    this.d.checkOpen();
    await this.d.intake.verify(dat);
    await this.d.intake.put({ dat, replicas: [this.d.id, ...Array<bigint>(FANOUT - 1).fill(0n)] });
  }
}
