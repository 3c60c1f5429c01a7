/**
 * The HTTP API of a real `dave start --api` process: every endpoint, and
 * each error (bad JSON, bad hex, wrong owner, bad signature, oversized
 * body, missing token), /metrics parsed as Prometheus text, /backup read
 * back as a godave backup.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDat } from '../../lib/workers/create-dat.js';
import { readBackup } from '../../lib/store/backup.js';
import { datToJson } from '../../lib/api/dat-json.js';
import { Auth } from '../../lib/api/auth.js';
import { cleanup, tempDir } from '../cli/helpers.js';
import { type RunningNode, killAll, startNode, stopNode } from '../cli/dave-proc.js';

const seed = new Uint8Array(32).fill(7);

describe('api (dave start --api)', function () {
  this.timeout(30_000);
  let node: RunningNode;
  let url: string;
  let token: string;

  before(async () => {
    const data = join(tempDir(), 'data');
    node = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0']);
    url = node.api!;
    token = readFileSync(join(data, 'api.token'), 'utf8').trim();
  });
  after(async () => {
    if (node) await stopNode(node);
    killAll();
    cleanup();
  });

  const call = async (method: string, path: string, body?: string, auth = false) => {
    const headers: Record<string, string> = auth ? { authorization: `Bearer ${token}` } : {};
    if (method !== 'GET') headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, body, headers });
    const text = await res.text();
    let json: Record<string, any> | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json: json as Record<string, any>, type: res.headers.get('content-type') };
  };

  it('GET /status and GET /peers', async () => {
    const s = await call('GET', '/status');
    expect(s.status).to.equal(200);
    expect(s.json).to.include({ publicKey: node.publicKey, userKey: node.userKey, address: node.address, ticket: node.ticket });
    expect(s.json.peers).to.deep.equal({ active: 0, known: 0 });
    const p = await call('GET', '/peers');
    expect(p.json).to.deep.equal({ peers: [] });
  });

  it('POST /records needs the token even on loopback; with it, signs with the user key', async () => {
    const no = await call('POST', '/records', JSON.stringify({ key: 'a', value: 'b' }));
    expect(no.status).to.equal(401);
    expect(no.json.code).to.equal('ERR_UNAUTHORIZED');
    const wrong = await fetch(url + '/records', { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' } });
    expect(wrong.status).to.equal(401);
    const ok = await call('POST', '/records', JSON.stringify({ key: 'fruit/apple', value: 'red' }), true);
    expect(ok.status).to.equal(201);
    expect(ok.json).to.include({ owner: node.userKey, key: 'fruit/apple', value: 'red', deleted: false });
    await call('POST', '/records', JSON.stringify({ key: 'fruit/banana', value: 'yellow' }), true);
    await call('POST', '/records', JSON.stringify({ key: 'veg/kale', value: 'green' }), true);
  });

  it('GET /records/:owner/:key reads a record; unknown is 404, a bad owner 400', async () => {
    const r = await call('GET', `/records/${node.userKey}/${encodeURIComponent('fruit/apple')}`);
    expect(r.status).to.equal(200);
    expect(r.json).to.include({ value: 'red', valueBase64: Buffer.from('red').toString('base64') });
    const me = await call('GET', `/records/me/fruit%2Fapple`);
    expect(me.json.value).to.equal('red');
    const missing = await call('GET', `/records/me/nothing`);
    expect([missing.status, missing.json.code]).to.deep.equal([404, 'ERR_NOT_FOUND']);
    const bad = await call('GET', `/records/zz12/k`);
    expect([bad.status, bad.json.code]).to.deep.equal([400, 'ERR_INVALID_ARGUMENT']);
  });

  it('GET /records/:owner lists by prefix, paged with a cursor', async () => {
    const p1 = await call('GET', '/records/me?prefix=fruit/&limit=1');
    expect(p1.json.records).to.have.length(1);
    expect(p1.json.next).to.match(/^[0-9a-f]{16}$/);
    const p2 = await call('GET', `/records/me?prefix=fruit/&limit=1&after=${p1.json.next}`);
    expect(p2.json.records).to.have.length.at.most(1);
    const seen = [...p1.json.records, ...p2.json.records].map((r: any) => r.key);
    let next = p2.json.next;
    while (next !== null) {
      const p = await call('GET', `/records/me?prefix=fruit/&limit=1&after=${next}`);
      seen.push(...p.json.records.map((r: any) => r.key));
      next = p.json.next;
    }
    expect(seen.sort()).to.deep.equal(['fruit/apple', 'fruit/banana']);
    const all = await call('GET', '/records/me');
    expect(all.json.records.map((r: any) => r.key)).to.deep.equal(['fruit/apple', 'fruit/banana', 'veg/kale']); // a page is in key order
    expect(all.json.next).to.equal(null);
    const bad = await call('GET', '/records/me?limit=0');
    expect(bad.status).to.equal(400);
    const cursor = await call('GET', '/records/me?after=fruit%2Fapple');
    expect([cursor.status, cursor.json.code]).to.deep.equal([400, 'ERR_INVALID_ARGUMENT']);
  });

  it('POST /dats stores a record the client signed (hex or base64), verified first', async () => {
    const dat = await createDat({ key: 'signed', value: 'by the client', privateKey: seed });
    const ok = await call('POST', '/dats', JSON.stringify(datToJson(dat)));
    expect(ok.status, ok.text).to.equal(201);
    const b64 = await createDat({ key: 'signed-b64', value: 'x', privateKey: seed });
    const enc = (u: Uint8Array) => Buffer.from(u).toString('base64');
    const body = { encoding: 'base64', time: b64.time, salt: enc(b64.salt), work: enc(b64.work), sig: enc(b64.sig), pubKey: enc(b64.pubKey), key: enc(b64.key), value: enc(b64.value) };
    expect((await call('POST', '/dats', JSON.stringify(body))).status).to.equal(201);
    const owner = ok.json.owner;
    expect((await call('GET', `/records/${owner}/signed`)).json.value).to.equal('by the client');
    // bad signature: one bit of the value flipped
    const forged = { ...datToJson(dat), value: Buffer.from('by the clienu').toString('hex') };
    const bad = await call('POST', '/dats', JSON.stringify(forged));
    expect([bad.status, bad.json.code]).to.deep.equal([400, 'ERR_BAD_SIGNATURE']);
    const older = await call('POST', '/dats', JSON.stringify(datToJson(dat)));
    expect(older.status).to.equal(409);
  });

  it('bad JSON, bad hex, a missing field, an oversized body: 4xx { code, message }', async () => {
    const json = await call('POST', '/dats', '{"time": 1,');
    expect([json.status, json.json.code]).to.deep.equal([400, 'ERR_BAD_JSON']);
    const hex = await call('POST', '/dats', JSON.stringify({ time: 1, salt: 'xyz', work: '', sig: '', pubKey: '', key: '', value: '' }));
    expect([hex.status, hex.json.code]).to.deep.equal([400, 'ERR_INVALID_ARGUMENT']);
    expect(hex.json.message).to.match(/salt/);
    const missing = await call('POST', '/dats', JSON.stringify({ time: 1 }));
    expect(missing.status).to.equal(400);
    const big = await call('POST', '/dats', JSON.stringify({ pad: 'x'.repeat(20_000) }));
    expect([big.status, big.json.code]).to.deep.equal([413, 'ERR_BODY_TOO_LARGE']);
    const none = await call('GET', '/nowhere');
    expect([none.status, none.json.code]).to.deep.equal([404, 'ERR_NO_ROUTE']);
    const method = await call('PUT', '/status');
    expect(method.status).to.equal(405);
    const pct = await call('GET', '/records/me/%E0%A4%A');
    expect(pct.status).to.equal(400);
    // still serving
    expect((await call('GET', '/status')).status).to.equal(200);
  });

  it('DELETE /records/:key writes an empty value (needs the token)', async () => {
    expect((await call('DELETE', '/records/veg%2Fkale')).status).to.equal(401);
    const del = await call('DELETE', '/records/veg%2Fkale', undefined, true);
    expect(del.status).to.equal(200);
    expect(del.json).to.include({ key: 'veg/kale', value: '', deleted: true });
    expect((await call('GET', '/records/me/veg%2Fkale')).json.deleted).to.equal(true);
  });

  it('GET /metrics is Prometheus text with the node figures', async () => {
    const m = await call('GET', '/metrics');
    expect(m.status).to.equal(200);
    expect(m.type).to.match(/^text\/plain/);
    const samples = new Map<string, number>();
    for (const line of m.text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/.exec(line);
      expect(s, `not a Prometheus sample: ${line}`).to.not.equal(null);
      samples.set(s![1]! + (s![2] ?? ''), Number(s![3]));
    }
    expect(samples.get('dave_store_records')).to.equal(5);
    expect(samples.get('dave_records_stored_total')).to.be.at.least(6); // five records and one delete
    expect(samples.get('dave_store_capacity_bytes')).to.equal(1 << 30);
    expect(samples.get('dave_peers_active')).to.equal(0);
    expect(samples.get('dave_verify_queue_length')).to.equal(0);
    expect(samples.get('dave_records_refused_total{reason="ERR_OLDER_THAN_STORED"}') ?? samples.get('dave_records_refused_total{reason="ERR_DUPLICATE"}')).to.equal(1);
    expect([...samples.keys()].some((k) => k.startsWith('dave_packets_out_total{op='))).to.equal(false); // nothing sent yet: no peers
    expect(samples.get('dave_get_duration_seconds_count{outcome="found"}')).to.be.at.least(3);
    expect(samples.has('dave_ingest_records_per_second')).to.equal(true);
    expect(m.text).to.include('# TYPE dave_get_duration_seconds histogram');
  });

  it('GET /backup streams every record as a godave backup', async () => {
    const res = await fetch(url + '/backup');
    expect(res.status).to.equal(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const b = readBackup(bytes);
    expect(b.skipped).to.deep.equal([]);
    const keys = b.entries.map((e) => Buffer.from(e.dat.key).toString()).sort();
    expect(keys).to.deep.equal(['fruit/apple', 'fruit/banana', 'signed', 'signed-b64', 'veg/kale']);
  });
});

describe('api/auth', () => {
  const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as any;
  it('bound elsewhere than loopback, every request without the token is 401', () => {
    const a = new Auth('secret-token-123456', false);
    expect(() => a.check(req(), false)).to.throw().with.property('status', 401);
    expect(() => a.check(req('Bearer wrong'), false)).to.throw().with.property('status', 401);
    expect(() => a.check(req('Bearer secret-token-123456'), true)).not.to.throw();
  });
  it('on loopback, only writes signed with the node key need it', () => {
    const a = new Auth('secret-token-123456', true);
    expect(() => a.check(req(), false)).not.to.throw();
    expect(() => a.check(req(), true)).to.throw().with.property('status', 401);
  });
});
