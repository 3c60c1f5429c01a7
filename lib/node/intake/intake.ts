/**
 * The path every record takes into the store, docs/protocol.md §10: verify, then
 * store, counting each outcome. A record identical to the stored one is not
 * verified again; one older than the stored one is refused without
 * verifying. Used for UDP and TCP PUTs, verified GET answers, the batch
 * writer's local copy and replication.
 */
import { type DaveError, isDaveError } from '../../errors.js';
import { equalBytes } from '../../wire/bytes.js';
import type { Dat } from '../../wire/dat.js';
import type { Entry } from '../../wire/entry.js';
import { precheckDat, storeKey } from '../../records/record.js';
import type { StoreLike } from '../../store/types.js';
import type { NodeStats } from '../services/stats.js';
import type { Logger } from '../options.js';
import { sameReplicas } from '../replication/rules.js';
import type { VerifyPoolHandle } from '../../workers/verify-pool.js';

export interface IntakeDeps {
  readonly store: StoreLike;
  readonly pool: Pick<VerifyPoolHandle, 'verify'>;
  readonly counters: NodeStats;
  readonly log: Logger;
  /** Allowed clock skew for record times, ms. */
  readonly skew: number;
  now(): number;
  closing(): boolean;
}

export class Intake {
  constructor(private readonly deps: IntakeDeps) {}

  /** Verifies `dat` in full (docs/protocol.md §4) on the verify pool; `urgent`: a read waits on it (VerifyPool.verify). */
  verify(dat: Dat, urgent = false): Promise<void> {
    return this.deps.pool.verify(dat, this.deps.now(), this.deps.skew, urgent);
  }

  /**
   * A failed verification: counted as dropped when the pool was full or
   * closing, else as a failure; an error that is no DaveError (a bug, not a
   * bad record) is also logged as what it is.
   */
  countVerifyError(err: unknown): void {
    if (isDaveError(err, 'ERR_OVERLOADED') || isDaveError(err, 'ERR_CLOSED')) return void this.deps.counters.droppedQueueFull++;
    this.deps.counters.verifyFailures++;
    if (!isDaveError(err)) this.deps.log.error('dave: verification failed unexpectedly', err);
  }

  /** A PUT (UDP or TCP): verify unless known, then store. Never rejects. */
  async ingest(entry: Entry): Promise<void> {
    const { store, counters } = this.deps;
    if (this.deps.closing()) return;
    const dat = entry.dat;
    let known = false;
    try {
      const sk = storeKey(dat.pubKey, dat.key);
      const idx = store.peek(sk);
      if (idx !== undefined && idx.time > dat.time) return this.refused('ERR_OLDER_THAN_STORED');
      if (idx !== undefined && idx.time === dat.time) {
        const stored = await store.getByStoreKey(sk);
        if (stored && sameDat(stored.dat, dat)) {
          known = true;
          counters.verifySkipped++;
          if (sameReplicas(stored.replicas, entry.replicas)) return this.refused('ERR_DUPLICATE');
        }
      }
    } catch (err) {
      this.deps.log.warn('dave: store lookup failed', err);
      return;
    }
    if (!known) {
      try {
        // the cheap checks first, so junk never waits in the verify queue
        precheckDat(dat, { now: this.deps.now(), maxClockSkew: this.deps.skew });
        await this.verify(dat);
      } catch (err) {
        this.countVerifyError(err);
        return;
      }
    }
    await this.store(entry);
  }

  /**
   * Stores a verified entry, counting the outcome.
   * @throws DaveError the store's refusal (counted), ERR_DATABASE, ERR_CLOSED
   */
  async put(entry: Entry): Promise<void> {
    const { counters } = this.deps;
    try {
      const r = await this.deps.store.put(entry);
      counters.recordsStored++;
      if (r.evicted !== undefined) counters.evicted += r.evicted.length;
    } catch (err) {
      if (isRefusal(err)) this.refused(err.code);
      throw err;
    }
  }

  /** Stores a verified entry, counting the outcome. Never rejects. */
  async store(entry: Entry): Promise<boolean> {
    if (this.deps.closing()) return false;
    try {
      await this.put(entry);
      return true;
    } catch (err) {
      if (!isRefusal(err) && !this.deps.closing()) {
        this.deps.log.warn('dave: store write failed', err);
      }
      return false;
    }
  }

  private refused(code: string): void {
    const r = this.deps.counters.refused;
    r[code] = (r[code] ?? 0) + 1;
  }
}

/** The store refused the record (a rule, not a failure): counted by its code. */
function isRefusal(err: unknown): err is DaveError {
  return isDaveError(err) && err.code !== 'ERR_DATABASE' && err.code !== 'ERR_CLOSED';
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
