/**
 * lib/wire/message.ts: every op's layout and every error path of encode
 * and decode (the vectors test covers byte-exactness against godave).
 */
import { expect } from 'chai';
import { MAX_KV_LEN, MAX_MSG_LEN, NPEER_LIMIT, OP, PING_LEN } from '../../lib/constants.js';
import { addrPort } from '../../lib/wire/address.js';
import { fromHex, toHex } from '../../lib/wire/bytes.js';
import {
  type Message,
  type PongMessage,
  decodeMessage,
  encodeMessage,
  MAX_PONG_PEERS,
  isNotFound,
  notFoundEntry,
} from '../../lib/wire/message.js';
import { dats, messages } from '../vectors.js';
import { sizedDat, throwsCode, vectorEntry } from './fixtures.js';

const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

function pong(n: number): PongMessage {
  return {
    op: OP.PONG,
    peers: Array.from({ length: n }, (_, i) => addrPort('10.0.0.' + (i + 1), 1000 + i)),
    solution: { challenge: seq(0, 32), salt: seq(1, 16), pubKey: seq(2, 32), sig: seq(3, 64) },
  };
}

const vectorHex: Record<string, string> = {
  PING: messages.msg_ping_hex,
  PONG: messages.msg_pong_hex,
  PUT: messages.msg_put_hex,
  GET: messages.msg_get_hex,
  GET_ACK: messages.msg_get_ack_hex,
  GETMYADDRPORT: messages.msg_getmyaddrport_hex,
  GETMYADDRPORT_ACK: messages.msg_getmyaddrport_ack_hex,
};

describe('wire/message', () => {
  it('round-trips a message of every op', () => {
    const all: Message[] = [
      { op: OP.PING, challenge: seq(9, 32), usedSpace: -5n, capacity: 2n ** 63n - 1n },
      pong(0),
      pong(NPEER_LIMIT),
      { op: OP.PUT, entry: vectorEntry() },
      { op: OP.GET, pubKey: seq(4, 32), key: new Uint8Array(0) },
      { op: OP.GET, pubKey: seq(4, 32), key: seq(0, 255) },
      { op: OP.GET_ACK, entry: vectorEntry() },
      { op: OP.GETMYADDRPORT },
      { op: OP.GETMYADDRPORT_ACK, addr: addrPort('203.0.113.9', 65535) },
    ];
    for (const m of all) {
      const b = encodeMessage(m);
      expect(b[0]).to.equal(m.op);
      expect(toHex(encodeMessage(decodeMessage(b)))).to.equal(toHex(b));
    }
  });

  it('encodes PING as op, challenge, i64 used space, i64 capacity (49 bytes)', () => {
    const b = encodeMessage({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: -1n, capacity: 258n });
    expect(b.length).to.equal(PING_LEN);
    expect(toHex(b.subarray(33))).to.equal('ffffffffffffffff' + '0201000000000000');
  });

  it('encodes PONG with a byte length of the address list, then the solution', () => {
    const b = encodeMessage(pong(2));
    expect(b[1]).to.equal(36);
    expect(b.length).to.equal(2 + 36 + 144);
  });

  it('refuses to encode a PONG with more than 14 peers, what a u8 byte length can express (ERR_TOO_LARGE)', () => {
    throwsCode(() => encodeMessage(pong(MAX_PONG_PEERS + 1)), 'ERR_TOO_LARGE');
  });

  it('decodes a PONG listing 13 or 14 peers, exactly (the 12-peer rule is the node\'s, docs/protocol.md §7)', () => {
    for (const n of [NPEER_LIMIT + 1, MAX_PONG_PEERS]) {
      const b = encodeMessage(pong(n));
      expect(b[1]).to.equal(n * 18);
      const m = decodeMessage(b);
      expect(m.op === OP.PONG && m.peers.length).to.equal(n);
      expect(toHex(encodeMessage(m))).to.equal(toHex(b));
    }
  });

  it('throws ERR_BAD_LENGTH for a PONG list length that is not a multiple of 18', () => {
    for (const l of [1, 17, 19, 35]) {
      const b = new Uint8Array(2 + l + 144);
      b[0] = OP.PONG;
      b[1] = l;
      throwsCode(() => decodeMessage(b), 'ERR_BAD_LENGTH');
    }
  });

  it('throws ERR_UNKNOWN_OP for PUT_ACK and for op codes 8..255, encoding and decoding', () => {
    throwsCode(() => decodeMessage(Uint8Array.of(OP.PUT_ACK)), 'ERR_UNKNOWN_OP');
    for (let op = 8; op < 256; op++) throwsCode(() => decodeMessage(Uint8Array.of(op, 0, 0)), 'ERR_UNKNOWN_OP');
    throwsCode(() => encodeMessage({ op: OP.PUT_ACK } as never), 'ERR_UNKNOWN_OP');
    throwsCode(() => encodeMessage({ op: 42 } as never), 'ERR_UNKNOWN_OP');
  });

  it('throws ERR_TOO_LARGE for input over 1424 bytes, before looking at it', () => {
    const b = new Uint8Array(MAX_MSG_LEN + 1);
    b[0] = OP.GETMYADDRPORT;
    throwsCode(() => decodeMessage(b), 'ERR_TOO_LARGE');
    b[0] = 200;
    throwsCode(() => decodeMessage(b), 'ERR_TOO_LARGE');
  });

  it('throws ERR_TRUNCATED for an empty input and for every strict prefix of every vector', () => {
    throwsCode(() => decodeMessage(new Uint8Array(0)), 'ERR_TRUNCATED');
    for (const [name, hex] of Object.entries(vectorHex)) {
      const b = fromHex(hex);
      for (let n = 1; n < b.length; n++) {
        expect(() => decodeMessage(b.subarray(0, n)), `${name} prefix ${n}`).to.throw().with.property('code', 'ERR_TRUNCATED');
      }
    }
  });

  it('throws ERR_BAD_LENGTH for a trailing byte after any message', () => {
    for (const [name, hex] of Object.entries(vectorHex)) {
      expect(() => decodeMessage(fromHex(hex + '00')), name).to.throw().with.property('code', 'ERR_BAD_LENGTH');
    }
  });

  it('throws ERR_TRUNCATED or ERR_BAD_LENGTH when a PUT entry length disagrees with the bytes', () => {
    const b = fromHex(messages.msg_put_hex);
    const more = Uint8Array.from(b);
    more[1] += 1;
    throwsCode(() => decodeMessage(more), 'ERR_TRUNCATED');
    const less = Uint8Array.from(b);
    less[1] -= 1;
    throwsCode(() => decodeMessage(less), 'ERR_BAD_LENGTH');
  });

  it('throws ERR_BAD_LENGTH for a PUT whose entry has a zero Dat length', () => {
    const b = new Uint8Array(3 + 42);
    b[0] = OP.PUT;
    b[1] = 42;
    throwsCode(() => decodeMessage(b), 'ERR_BAD_LENGTH');
  });

  it('fits key + value of 1224 in a PUT of exactly 1424 bytes and refuses 1225 (ERR_TOO_LARGE)', () => {
    const ok = encodeMessage({ op: OP.PUT, entry: { dat: sizedDat(24, MAX_KV_LEN - 24), replicas: [0n, 0n, 0n, 0n, 0n] } });
    expect(ok.length).to.equal(MAX_MSG_LEN);
    expect(decodeMessage(ok).op).to.equal(OP.PUT);
    throwsCode(
      () => encodeMessage({ op: OP.PUT, entry: { dat: sizedDat(24, MAX_KV_LEN - 23), replicas: [0n, 0n, 0n, 0n, 0n] } }),
      'ERR_TOO_LARGE',
    );
  });

  it('refuses malformed messages to encode with ERR_INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      null,
      'PING',
      { op: OP.PING, challenge: new Uint8Array(31), usedSpace: 0n, capacity: 0n },
      { op: OP.PING, challenge: new Uint8Array(32), usedSpace: 2n ** 63n, capacity: 0n },
      { op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 1 },
      { ...pong(1), peers: 'x' },
      { ...pong(1), peers: [{ ip: new Uint8Array(4), port: 1 }] },
      { ...pong(1), peers: [{ ip: new Uint8Array(16), port: 70000 }] },
      { ...pong(1), solution: undefined },
      { ...pong(1), solution: { ...pong(1).solution, sig: new Uint8Array(63) } },
      { op: OP.PUT, entry: null },
      { op: OP.GET_ACK, entry: { dat: null, replicas: [0n, 0n, 0n, 0n, 0n] } },
      { op: OP.GET, pubKey: new Uint8Array(31), key: new Uint8Array(1) },
      { op: OP.GET, pubKey: new Uint8Array(32), key: new Uint8Array(256) },
      { op: OP.GET, pubKey: new Uint8Array(32), key: 'k' },
      { op: OP.GETMYADDRPORT_ACK, addr: null },
      { op: OP.GETMYADDRPORT_ACK, addr: { ip: new Uint8Array(16), port: -1 } },
    ];
    for (const m of bad) {
      expect(() => encodeMessage(m as Message), JSON.stringify(m, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
        .to.throw()
        .with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });

  it('refuses a non-Uint8Array to decode with ERR_INVALID_ARGUMENT', () => {
    throwsCode(() => decodeMessage([0] as never), 'ERR_INVALID_ARGUMENT');
  });

  it('builds the not-found GET_ACK as godave does, with its negative zero time', () => {
    const nf = decodeMessage(fromHex(dats.msg_get_ack_not_found_hex));
    if (nf.op !== OP.GET_ACK) expect.fail('not a GET_ACK');
    expect(nf.entry.dat.time).to.equal(-6795364578871);
    const built = notFoundEntry(nf.entry.dat.pubKey, nf.entry.dat.key);
    expect(isNotFound(built)).to.equal(true);
    expect(isNotFound(vectorEntry())).to.equal(false);
    expect(toHex(encodeMessage({ op: OP.GET_ACK, entry: built }))).to.equal(dats.msg_get_ack_not_found_hex);
  });

  it('decodes into copies: reusing the datagram buffer changes nothing', () => {
    const b = fromHex(messages.msg_put_hex);
    const m = decodeMessage(b);
    b.fill(0xee, 1);
    expect(toHex(encodeMessage(m))).to.equal(messages.msg_put_hex);
    const g = fromHex(messages.msg_pong_hex);
    const p = decodeMessage(g);
    g.fill(0xee, 1);
    expect(toHex(encodeMessage(p))).to.equal(messages.msg_pong_hex);
  });
});
