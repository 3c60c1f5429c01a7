/**
 * The path every record takes into the store, docs/protocol.md §10: verify, then
 * store, one operation with one result (stored, refused with a code, or
 * failed), every outcome counted here. A record identical to the stored
 * one is not verified again; one older than the stored one is refused
 * without verifying. Used for UDP and TCP PUTs, verified GET answers, the
 * batch writer's local copy, replication and Dave.storeLocal.
 */
import { FANOUT } from '../../constants.js';
import { DaveError, type ErrorCode, isDaveError } from '../../errors.js';
import { isSilent } from '../options.js';
import { recordName } from '../views/log-lines.js';
import { equalBytes } from '../../wire/bytes.js';
import type { Dat } from '../../wire/dat.js';
import { type Entry, decodeEntry } from '../../wire/entry.js';
import type { EntryBatch } from '../../records/entry-batch.js';
import { storeKey } from '../../records/record.js';
import type { Lookup } from '../../store/types.js';
import { BatchIntake } from './intake-batch.js';
import type { BaseServices } from '../services/services.js';
import { sameReplicas } from '../replication/rules.js';
import type { VerifyPoolHandle } from '../../workers/verify-pool.js';

/**
 * What became of a record handed to the intake:
 * - `stored`: committed to the store (new or replacing an older one);
 * - `refused`: a rule said no (verification, a full verify queue, older than
 *   or identical to the stored one, the store's priority or capacity): the code says which;
 * - `failed`: the store failed (ERR_DATABASE), the node is closing
 *   (ERR_CLOSED), or a bug; `error` is what was thrown.
 */
export type IntakeResult =
  | { readonly status: 'stored'; readonly evicted?: readonly bigint[] }
  | { readonly status: 'refused'; readonly code: ErrorCode; readonly message: string }
  | { readonly status: 'failed'; readonly error: unknown };

/**
 * Nothing when `r` is stored; else throws: a DaveError with the refusal's
 * code, or the failure's error.
 * @throws DaveError the refusal's code, ERR_DATABASE, ERR_CLOSED
 */
export function storedOrThrow(r: IntakeResult): void {
  if (r.status === 'refused') throw new DaveError(r.code, r.message);
  if (r.status === 'failed') throw r.error;
}

/** What the intake takes from the base services. */
export type IntakeServices = Pick<BaseServices, 'store' | 'counters' | 'log' | 'now' | 'closing'>;

export class Intake {
  private batches: BatchIntake | undefined;

  constructor(
    private readonly s: IntakeServices,
    /** verifyBatch: for acceptBatch (node/intake/intake-batch.ts); without it a batch goes record by record. */
    private readonly pool: Pick<VerifyPoolHandle, 'verify'> & Partial<Pick<VerifyPoolHandle, 'verifyBatch'>>,
    /** Allowed clock skew for record times, ms. */
    private readonly skew: number,
  ) {}

  /**
   * The PUTs of one TCP read, as one batch (node/intake/intake-batch.ts):
   * the same steps and the same counters as accept() for each record, each
   * step once for the whole batch. Never rejects. Resolves with the
   * records stored. `fromProven: false` (a host with no proven peer): the
   * records go one by one through accept()'s rule for strangers' replica
   * lists (docs/protocol.md §10). `verified: true` (a read's answer, checked
   * by the caller): stored as accept({ verified: true }) stores each record,
   * from its bytes, with no debug line.
   */
  acceptBatch(batch: EntryBatch, options: { fromProven?: boolean; verified?: boolean } = {}): Promise<number> {
    const pool = this.pool;
    if (options.verified === true) {
      // verified by the caller (a read's answer): stored as accept({ verified: true }) stores each
      if (pool.verifyBatch === undefined) return Promise.all(batch.entries.map((b) => this.accept(decodeEntry(b), { verified: true }))).then(storedCount);
      return this.batchIntake().acceptVerified(batch);
    }
    if (pool.verifyBatch === undefined || options.fromProven === false) {
      const fromProven = options.fromProven !== false;
      return Promise.all(batch.entries.map((b) => this.accept(decodeEntry(b), { put: true, fromProven }))).then(storedCount);
    }
    return this.batchIntake().accept(batch);
  }

  private batchIntake(): BatchIntake {
    const pool = this.pool;
    return (this.batches ??= new BatchIntake(this.s, { verifyBatch: (b) => pool.verifyBatch!(b) }, this.skew, this));
  }

  /**
   * Verifies `dat` in full (docs/protocol.md §4) on the verify pool, which runs
   * the cheap checks first; `urgent`: a read waits on it (VerifyPool.verify).
   * For a flow that acts on the verdict before storing (reads, the batch
   * writer, challenges): a rejection is counted with countVerifyError.
   * @throws (rejects) the verification's DaveError, ERR_OVERLOADED, ERR_CLOSED
   */
  verify(dat: Dat, urgent = false): Promise<void> {
    return this.pool.verify(dat, this.s.now(), this.skew, urgent);
  }

  /**
   * A failed verification: counted as dropped when the pool was full, as
   * nothing while closing, else as a failure; an error that is no
   * DaveError (a bug, not a bad record) is also logged as what it is.
   */
  countVerifyError(err: unknown): void {
    if (isDaveError(err, 'ERR_CLOSED')) return;
    if (isDaveError(err, 'ERR_OVERLOADED')) return void this.s.counters.droppedQueueFull++;
    this.s.counters.verifyFailures++;
    if (!isDaveError(err)) this.s.log.error('dave: verification failed unexpectedly', err);
  }

  /**
   * Verifies `entry`'s record (unless `verified`, or identical to the
   * stored one) and stores it. Never rejects; every outcome is counted.
   *
   * `fromProven: false` (a TCP PUT from a host with no proven peer; checked
   * only for records not `verified`): its replica list never replaces ours
   * (docs/protocol.md §10). The stored record with another list is refused
   * as ERR_DUPLICATE; a new or newer record is stored with the list we held
   * for its key (or none, the next replication pass sets it); a list not
   * taken is counted in replicaListsIgnored.
   * `put`: a peer's PUT (UDP or TCP): a verified one gets a debug line,
   * stored or not stored.
   */
  async accept(entry: Entry, options: { verified?: boolean; fromProven?: boolean; put?: boolean } = {}): Promise<IntakeResult> {
    if (this.s.closing()) return closedResult();
    let verified = options.verified === true;
    let at: Lookup | undefined; // the key hashed and the index probed once, here, for the put too
    if (!verified) {
      const fromProven = options.fromProven !== false;
      let known: Known;
      try {
        at = this.lookup(entry.dat);
        known = await this.known(entry, at, fromProven);
      } catch (err) {
        return this.failed(err, 'dave: store lookup failed');
      }
      if (known.status === 'same-record') verified = true;
      else if (known.status !== 'new') return known;
      else if (!fromProven) {
        const keep = known.held ?? noReplicas();
        if (!sameReplicas(keep, entry.replicas)) {
          this.s.counters.replicaListsIgnored++;
          entry = { replicas: keep, dat: entry.dat };
        }
      }
    }
    if (!verified) {
      try {
        await this.verify(entry.dat);
      } catch (err) {
        this.countVerifyError(err);
        return isDaveError(err) && err.code !== 'ERR_CLOSED' ? { status: 'refused', code: err.code, message: err.message } : { status: 'failed', error: err };
      }
    }
    const r = await this.store(entry, at);
    if (options.put === true && !isSilent(this.s.log.debug)) {
      this.s.log.debug(`dave: PUT ${r.status === 'stored' ? 'stored' : 'not stored'}: ${recordName(entry.dat.pubKey, entry.dat.key)}`);
    }
    return r;
  }

  /**
   * What the store holds of `entry`'s key, from the index first (no
   * database read unless the times are equal, or the sender is not proven):
   * 'new' (verify it; `held`: the stored list for the key, read only when
   * not `fromProven`), a refusal (older, or the same record with the same
   * replicas, or with a stranger's other replicas), or 'same-record' (the
   * stored record with other replicas: no need to verify).
   * @throws (rejects) the store's read error
   */
  private async known(entry: Entry, at: Lookup, fromProven: boolean): Promise<Known> {
    const { store, counters } = this.s;
    const dat = entry.dat;
    const idx = at.indexed;
    if (idx === undefined) return NEW;
    if (idx.time > dat.time) return this.refused('ERR_OLDER_THAN_STORED', 'a newer record is stored under this key');
    if (idx.time < dat.time && fromProven) return NEW;
    const stored = await store.getByStoreKey(at.storeKey);
    const fresh: Known = { status: 'new', held: stored?.replicas ?? null };
    if (!stored || !sameDat(stored.dat, dat)) return fresh;
    counters.verifySkipped++;
    if (sameReplicas(stored.replicas, entry.replicas)) return this.refused('ERR_DUPLICATE', 'the stored record, with the same replicas');
    if (!fromProven) {
      counters.replicaListsIgnored++;
      return this.refused('ERR_DUPLICATE', 'the stored record; a replica list is taken only from a proven peer');
    }
    return SAME_RECORD;
  }

  /** The store's lookup of `dat`'s key (a store without lookup(): its peek()). @throws the store's */
  private lookup(dat: Dat): Lookup {
    const sk = storeKey(dat.pubKey, dat.key);
    const store = this.s.store;
    return store.lookup !== undefined ? store.lookup(sk) : { storeKey: sk, indexed: store.peek(sk) };
  }

  /** Stores a verified entry, counting the outcome. Never rejects. `at`: the lookup of its key, made before verifying. */
  private async store(entry: Entry, at: Lookup | undefined): Promise<IntakeResult> {
    if (this.s.closing()) return closedResult();
    try {
      const r = await this.s.store.put(entry, at);
      this.s.counters.recordsStored++;
      if (r.evicted === undefined) return STORED;
      this.s.counters.evicted += r.evicted.length;
      return { status: 'stored', evicted: r.evicted };
    } catch (err) {
      if (isDaveError(err) && err.code !== 'ERR_DATABASE' && err.code !== 'ERR_CLOSED') return this.refused(err.code, err.message);
      return this.failed(err, 'dave: store write failed');
    }
  }

  /** A refusal, counted by its code (no Error built: a flood of duplicates stays cheap). */
  private refused(code: ErrorCode, message: string): IntakeResult {
    const r = this.s.counters.refused;
    r[code] = (r[code] ?? 0) + 1;
    return { status: 'refused', code, message };
  }

  /** A store failure: counted and logged, unless the node is closing (then the store's ERR_CLOSED is expected). */
  private failed(err: unknown, what: string): IntakeResult {
    if (isDaveError(err, 'ERR_CLOSED') || this.s.closing()) return { status: 'failed', error: err };
    this.s.counters.storeFailures++;
    this.s.log.warn(what, err);
    return { status: 'failed', error: err };
  }
}

const STORED: IntakeResult = Object.freeze({ status: 'stored' });

/** What known() found: a record to verify (with the list held for its key), the stored record, or a result. */
type Known = { readonly status: 'new'; readonly held: bigint[] | null } | { readonly status: 'same-record' } | IntakeResult;
const NEW: Known = Object.freeze({ status: 'new', held: null });
const SAME_RECORD: Known = Object.freeze({ status: 'same-record' });

/** How many of `rs` were stored. */
export function storedCount(rs: readonly IntakeResult[]): number {
  let n = 0;
  for (const r of rs) if (r.status === 'stored') n++;
  return n;
}

/** The replica list of a record whose list came from a stranger: none yet (the next replication pass sets it). */
function noReplicas(): bigint[] {
  return new Array<bigint>(FANOUT).fill(0n);
}

function closedResult(): IntakeResult {
  return { status: 'failed', error: new DaveError('ERR_CLOSED', 'node is closing') };
}

function sameDat(a: Dat, b: Dat): boolean {
  return (
    a.time === b.time &&
    equalBytes(a.sig, b.sig) &&
    equalBytes(a.pubKey, b.pubKey) &&
    equalBytes(a.key, b.key) &&
    equalBytes(a.value, b.value) &&
    equalBytes(a.salt, b.salt) &&
    equalBytes(a.work, b.work)
  );
}
