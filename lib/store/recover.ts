/**
 * Opening a store: one scan of the records sublevel rebuilds the index. No
 * record is re-verified (the store verified it before writing it, or
 * dave-db did before importing it); each is only checked to decode and to
 * sit under its own store key. A record that fails either check is skipped,
 * counted and reported, never a failed open.
 */
import { ENTRY_OVERHEAD } from '../constants.js';
import { toHex } from '../wire/bytes.js';
import type { RecordsLevel } from './layout.js';
import { contentSum, ownerHi, ownerLo, scanEntry, scannedStoreKey } from './scan.js';
import { halves, type ShardedIndex } from './sharded-index.js';
import { databaseError } from './errors.js';

/** What opening found. */
export interface OpenReport {
  /** Records indexed. */
  records: number;
  /** Records skipped because they do not decode or sit under the wrong key. */
  corrupt: number;
  /** Database keys (hex) of the first corrupt records, at most 100. */
  corruptKeys: string[];
  /**
   * Accounted bytes over capacity after the scan (0 when within). Nothing is
   * dropped at open: the store comes back exactly as it was written, and
   * new keys then evict by priority as usual (docs/protocol.md §9).
   */
  overCapacity: number;
  /** Time the scan took, ms. */
  ms: number;
}

const REPORT_KEYS = 100;
const SCAN_BATCH = 2000;

/**
 * Scans `records` into `index` (which must be empty) and returns the report.
 * @throws DaveError ERR_DATABASE
 */
export async function recover(
  records: RecordsLevel,
  index: ShardedIndex,
  nodeHi: number,
  nodeLo: number,
  capacity: number,
): Promise<OpenReport> {
  const t0 = performance.now();
  const report: OpenReport = { records: 0, corrupt: 0, corruptKeys: [], overCapacity: 0, ms: 0 };
  const corrupt = (key: Uint8Array) => {
    report.corrupt++;
    if (report.corruptKeys.length < REPORT_KEYS) report.corruptKeys.push(toHex(key));
  };
  const it = records.iterator({ keyEncoding: 'view', valueEncoding: 'view' });
  let page = it.nextv(SCAN_BATCH);
  try {
    // The next page is read (on LevelDB's thread) while this one is indexed.
    for (;;) {
      const rows = await page;
      if (rows.length === 0) break;
      page = it.nextv(SCAN_BATCH);
      // Hot loop: up to millions of records; no allocation beyond the two hashes.
      for (const [key, value] of rows) {
        const e = value === undefined ? undefined : scanEntry(value);
        if (key.length !== 8 || e === undefined) {
          corrupt(key);
          continue;
        }
        const dv = new DataView(key.buffer, key.byteOffset, 8);
        const keyHi = dv.getUint32(0, false);
        const keyLo = dv.getUint32(4, false);
        const [hi, lo] = halves(scannedStoreKey(value!, e.keyLen));
        if (hi !== keyHi || lo !== keyLo) {
          corrupt(key);
          continue;
        }
        const [sumHi, sumLo] = halves(contentSum(value!, e.valueLen));
        index.restore({
          keyHi,
          keyLo,
          distHi: (ownerHi(value!) ^ nodeHi) >>> 0,
          distLo: (ownerLo(value!) ^ nodeLo) >>> 0,
          time: e.time,
          size: e.keyLen + e.valueLen + ENTRY_OVERHEAD,
          sumHi,
          sumLo,
        });
        report.records++;
      }
    }
  } catch (err) {
    throw databaseError(err, 'scanning records at open');
  } finally {
    page.catch(() => {}); // a page still in flight when the scan stops
    await it.close().catch(() => {});
  }
  report.overCapacity = Math.max(0, index.used - capacity);
  report.ms = performance.now() - t0;
  return report;
}
