/**
 * The batch path into the store (docs/node.md, "The batch path"): the
 * records of one TCP read, as their wire bytes (records/entry-batch.ts),
 * go through the same steps as Intake.accept, each step once for the whole
 * batch: store keys hashed in one loop; records the store already holds
 * (or holds newer) dropped before any signature check; the cheap checks in
 * the same loop; the signatures to the verify pool in one hand-off; the
 * verified records to the store in one pass and one database batch. One
 * promise per batch, none per record. Counters move exactly as
 * Intake.accept moves them for each record (stored, refused by code,
 * verification and store failures).
 *
 * A record whose stored twin (same key, same time) is not in memory takes
 * Intake.accept's path (it reads the database); so does every record when
 * the store has no batch methods (a StoreLike handed in).
 */
import { isDaveError } from '../../errors.js';
import { decodeEntry } from '../../wire/entry.js';
import { type EntryBatch, REC_ACCEPT, REC_DROPPED, REC_VERIFY, sameDatBytes, sameReplicaBytes } from '../../records/entry-batch.js';
import { type Intake, type IntakeResult, type IntakeServices, storedCount } from './intake.js';
import type { VerifyPoolHandle } from '../../workers/verify-pool.js';
import { isSilent } from '../options.js';
import { recordName } from '../views/log-lines.js';

export class BatchIntake {
  constructor(
    private readonly s: IntakeServices,
    private readonly pool: Required<Pick<VerifyPoolHandle, 'verifyBatch'>>,
    /** Allowed clock skew for record times, ms. */
    private readonly skew: number,
    /** The per-record path, for the records the batch cannot decide in memory. */
    private readonly intake: Pick<Intake, 'accept' | 'countVerifyError'>,
  ) {}

  /** Verifies and stores the records of `batch` (docs/protocol.md §10). Never rejects; resolves with the records stored. */
  async accept(batch: EntryBatch): Promise<number> {
    const { store, counters, log } = this.s;
    if (this.s.closing() || batch.count === 0) return 0;
    if (store.putBatch === undefined || store.peekBytes === undefined) return this.oneByOne(batch);
    batch.prepare();
    const { state, entries, keys, times } = batch;
    const now = this.s.now();
    const skew = this.skew;
    let slow: Promise<IntakeResult>[] | null = null;
    let verify = 0;
    for (let i = 0; i < state.length; i++) {
      const sk = keys[i]!;
      let idx;
      try {
        idx = store.peek(sk);
      } catch (err) {
        // as Intake.accept's lookup failure: counted and logged, the record not stored
        this.storeFailed(err, 'dave: store lookup failed', 1);
        state[i] = REC_DROPPED;
        continue;
      }
      if (idx !== undefined && idx.time > times[i]!) {
        this.refused('ERR_OLDER_THAN_STORED');
        state[i] = REC_DROPPED;
        continue;
      }
      if (idx !== undefined && idx.time === times[i]!) {
        let stored: Uint8Array | undefined;
        try {
          stored = store.peekBytes(sk);
        } catch {
          stored = undefined; // the database path below tells
        }
        if (stored === undefined) {
          // only the database can tell whether it is the same record
          state[i] = REC_DROPPED;
          (slow ??= []).push(this.intake.accept(decodeEntry(entries[i]!), { put: true }));
          continue;
        }
        if (sameDatBytes(stored, entries[i]!)) {
          counters.verifySkipped++;
          if (sameReplicaBytes(stored, entries[i]!)) {
            this.refused('ERR_DUPLICATE');
            state[i] = REC_DROPPED;
          } else state[i] = REC_ACCEPT;
          continue;
        }
      }
      // the cheap checks first, so junk never waits in the verify queue
      if (batch.precheck(i, now, skew) !== null) {
        counters.verifyFailures++;
        state[i] = REC_DROPPED;
        continue;
      }
      state[i] = REC_VERIFY;
      verify++;
    }
    if (verify > 0) {
      try {
        const verdict = await this.pool.verifyBatch(batch);
        counters.verifyFailures += verdict.failed;
        for (const e of verdict.errors) log.error('dave: verification failed unexpectedly', Object.assign(new Error(e.message), { name: e.name }));
      } catch (err) {
        // the pool took none of them (full or closed): each is counted as Intake counts it
        for (let i = 0; i < state.length; i++) {
          if (state[i] !== REC_VERIFY) continue;
          state[i] = REC_DROPPED;
          this.intake.countVerifyError(err);
        }
      }
    }
    const stored = await this.storeAccepted(batch);
    return slow === null ? stored : stored + storedCount(await Promise.all(slow));
  }

  /**
   * Stores the records of `batch`, verified by the caller (a read's
   * answer), as Intake.accept({ verified: true }) stores each: no lookup,
   * no check, no debug line. Never rejects; resolves with the records stored.
   */
  async acceptVerified(batch: EntryBatch): Promise<number> {
    const store = this.s.store;
    if (this.s.closing() || batch.count === 0) return 0;
    if (store.putBatch === undefined) {
      const all: Promise<IntakeResult>[] = [];
      for (const b of batch.entries) all.push(this.intake.accept(decodeEntry(b), { verified: true }));
      return storedCount(await Promise.all(all));
    }
    batch.prepare();
    batch.state.fill(REC_ACCEPT);
    return this.storeAccepted(batch, false);
  }

  private async storeAccepted(batch: EntryBatch, putLines = true): Promise<number> {
    const { store, counters, log } = this.s;
    if (this.s.closing()) return 0;
    // with debug lines on (only then): the records handed to the store, for a line each, as Intake.accept's
    const debug: number[] = [];
    if (putLines && !isSilent(log.debug)) for (let i = 0; i < batch.state.length; i++) if (batch.state[i] === REC_ACCEPT) debug.push(i);
    let failed = false;
    let stored = 0;
    try {
      const r = await store.putBatch!(batch);
      counters.recordsStored += r.stored + r.replaced;
      counters.evicted += r.evicted;
      if (r.refused !== null) for (const [code, n] of Object.entries(r.refused)) this.refused(code, n);
      stored = r.stored + r.replaced;
    } catch (err) {
      // every record the store had not refused failed, as each put would have in Intake.accept:
      // a DaveError other than ERR_DATABASE and ERR_CLOSED (ERR_STORAGE_UNAVAILABLE) is a refusal by its code
      failed = true;
      let n = 0;
      for (let i = 0; i < batch.state.length; i++) if (batch.state[i] === REC_ACCEPT) n++;
      if (n > 0 && isDaveError(err) && err.code !== 'ERR_DATABASE' && err.code !== 'ERR_CLOSED' && !this.s.closing()) this.refused(err.code, n);
      else this.storeFailed(err, 'dave: store write failed', n);
    }
    for (const i of debug) {
      const d = batch.dat(i);
      log.debug(`dave: PUT ${!failed && batch.state[i] === REC_ACCEPT ? 'stored' : 'not stored'}: ${recordName(d.pubKey, d.key)}`);
    }
    return stored;
  }

  /** A store failure of `n` records: counted and logged, unless the node is closing (Intake.accept's `failed`). */
  private storeFailed(err: unknown, what: string, n: number): void {
    if (n === 0 || isDaveError(err, 'ERR_CLOSED') || this.s.closing()) return;
    this.s.counters.storeFailures += n;
    this.s.log.warn(what, err);
  }

  /** A store without batch methods: every record through Intake.accept. */
  private async oneByOne(batch: EntryBatch): Promise<number> {
    const all: Promise<IntakeResult>[] = [];
    for (const b of batch.entries) all.push(this.intake.accept(decodeEntry(b), { put: true }));
    return storedCount(await Promise.all(all));
  }

  private refused(code: string, n = 1): void {
    const r = this.s.counters.refused;
    r[code] = (r[code] ?? 0) + n;
  }
}
