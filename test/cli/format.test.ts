/**
 * The CLI's text helpers (lib/cli/size.ts, lib/cli/db/format.ts), now one
 * implementation each: sizes, UTF-8 detection, and dave-db's NDJSON fields.
 */
import { expect } from 'chai';
import { formatSize } from '../../lib/cli/size.js';
import { humanBytes, jsonRecord, preview, showKey } from '../../lib/cli/db/format.js';
import { entrySize, nodeId, storeKey } from '../../lib/records/record.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { recordKey } from '../../lib/store/layout.js';

describe('cli: text formats', () => {
  it('formatSize: two decimals under 10 units, one above, plain bytes below 1 KiB; humanBytes always one', () => {
    expect([formatSize(512), formatSize(1536), formatSize(12.5 * 1024 ** 2), formatSize(3 * 1024 ** 4)]).to.deep.equal([
      '512 B',
      '1.50 KiB',
      '12.5 MiB',
      '3.00 TiB',
    ]);
    expect([humanBytes(512), humanBytes(1536), humanBytes(1234567)]).to.deep.equal(['512 B', '1.5 KiB', '1.2 MiB']);
  });

  it('shows UTF-8 keys and values as text and anything else as hex', () => {
    expect(showKey(new TextEncoder().encode('a/b'))).to.equal('"a/b"');
    expect(showKey(Uint8Array.of(0xff, 0xfe))).to.equal('0xfffe');
    expect(showKey(Uint8Array.of(1))).to.equal('0x01'); // valid UTF-8, not printable
    expect(preview(Uint8Array.of(0xc3))).to.equal('0xc3');
  });

  it('jsonRecord: the owner ID, the accounted size, text fields only when they are UTF-8', async () => {
    const dat = await createDat({ key: 'k', value: Uint8Array.of(0xff), privateKey: new Uint8Array(32).fill(4), time: 1 });
    const sk = storeKey(dat.pubKey, dat.key);
    const j = jsonRecord(recordKey(sk), { dat, replicas: [1n, 0n, 0n, 0n, 0n] });
    expect(j.owner_id_u64).to.equal(nodeId(dat.pubKey).toString());
    expect(j.entry_size).to.equal(entrySize(dat));
    expect(j.key).to.equal('k');
    expect(j).to.not.have.property('value');
    expect(j.store_key_u64).to.equal(sk.toString());
  });
});
