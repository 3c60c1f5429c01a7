/**
 * `ls` in the CLI and the shell: the node's pages are bounded in work, so
 * one may come back short (a rare prefix); this follows the cursor until
 * `limit` records are in hand or the listing ends, and sorts them by key.
 */
import type { NodeClient, RecordPage } from '../api/views.js';

/** Pages fetched at most for one `ls` (each reads at most limit + 256 records on the node). */
export const MAX_PAGES = 64;

export async function listPage(c: NodeClient, owner: string, o: { prefix?: string; after?: string; limit?: number }): Promise<RecordPage> {
  const limit = o.limit ?? 100;
  const records: RecordPage['records'] = [];
  let after = o.after;
  let next: string | null = null;
  for (let i = 0; i < MAX_PAGES && records.length < limit; i++) {
    const page = await c.list(owner, { prefix: o.prefix, after, limit: limit - records.length });
    records.push(...page.records);
    next = page.next;
    if (next === null) break;
    after = next;
  }
  records.sort((a, b) => Buffer.compare(Buffer.from(a.keyBase64, 'base64'), Buffer.from(b.keyBase64, 'base64')));
  return { records, next };
}
