/**
 * Byte-exactness against the godave v0.0.51 vectors (test/vectors/SOURCE.md):
 * decode → encode gives the same bytes, and encoding the vector's inputs
 * gives the vector.
 */
import { expect } from 'chai';
import {
  DaveError,
  OP,
  addrPort,
  createDat,
  decodeDat,
  decodeEntry,
  decodeMessage,
  encodeDat,
  encodeEntry,
  encodeMessage,
  entrySize,
  fromHex,
  leadingZeroBits,
  nodeId,
  notFoundEntry,
  isNotFound,
  shardOf,
  storeKey,
  toHex,
  verifyDat,
  publicKeyFromSeed,
  type Dat,
  type Message,
} from '../../lib/index.js';
import { blake3 } from '../../lib/crypto/hash.js';
import { sign, signingKey } from '../../lib/crypto/ed25519.js';
import { dats, messages } from '../vectors.js';
import { vectorDat } from './fixtures.js';

const NOW = 1_800_000_000_000; // after every vector's time, before the "future" one

function datOf(v: (typeof dats.dats)[number]): Dat {
  return {
    time: v.time_ms,
    salt: fromHex(v.salt_hex),
    work: fromHex(v.work_hex),
    sig: fromHex(v.sig_hex),
    pubKey: fromHex(v.public_key_hex),
    key: fromHex(v.key_hex),
    value: fromHex(v.val_hex),
  };
}

describe('godave v0.0.51 vectors: dats', () => {
  for (const v of dats.dats) {
    describe(v.name, () => {
      it('decodes and re-encodes the Dat and Entry byte for byte', () => {
        const dat = decodeDat(fromHex(v.dat_bytes_hex));
        expect(dat).to.deep.equal(datOf(v));
        expect(toHex(encodeDat(dat))).to.equal(v.dat_bytes_hex);
        const entry = decodeEntry(fromHex(v.entry_bytes_hex));
        expect(entry.replicas).to.deep.equal(v.replicas_u64.map(BigInt));
        expect(toHex(encodeEntry(entry))).to.equal(v.entry_bytes_hex);
      });

      it('encodes the PUT, or refuses it as Go does', () => {
        const entry = { dat: datOf(v), replicas: v.replicas_u64.map(BigInt) };
        if (v.msg_put_hex) {
          expect(toHex(encodeMessage({ op: OP.PUT, entry }))).to.equal(v.msg_put_hex);
          const m = decodeMessage(fromHex(v.msg_put_hex));
          expect(toHex(encodeMessage(m))).to.equal(v.msg_put_hex);
        } else {
          expect(v.msg_put_marshal_error).to.be.a('string');
          expect(() => encodeMessage({ op: OP.PUT, entry })).to.throw(DaveError).with.property('code', 'ERR_TOO_LARGE');
        }
      });

      it('derives the node ID, store key, shard and accounted size', () => {
        const pub = fromHex(v.public_key_hex);
        expect(nodeId(pub)).to.equal(BigInt(v.peer_id_u64));
        expect(storeKey(pub, fromHex(v.key_hex))).to.equal(BigInt(v.store_key_u64));
        expect(shardOf(BigInt(v.store_key_u64))).to.equal(v.shard);
        expect(entrySize(datOf(v))).to.equal(v.entry_size);
        expect(leadingZeroBits(fromHex(v.work_hex))).to.equal(v.work_leading_zero_bits);
      });

      it(`verifies as Go does (${v.verify_error || 'valid'})`, () => {
        const run = () => verifyDat(datOf(v), { now: NOW });
        const codes: Record<string, string> = {
          'signature invalid': 'ERR_BAD_SIGNATURE',
          'work invalid: hash is invalid': 'ERR_BAD_WORK',
          'work is insufficient': 'ERR_INSUFFICIENT_WORK',
          'time is invalid': 'ERR_FUTURE_TIME',
        };
        if (v.verify_error === '') expect(run).not.to.throw();
        else expect(run).to.throw(DaveError).with.property('code', codes[v.verify_error]);
      });

      if (v.verify_error === '' && !v.msg_put_marshal_error) {
        it('createDat with the same inputs gives the same bytes', async () => {
          const seed = fromHex(v.seed_hex);
          expect(toHex(publicKeyFromSeed(seed))).to.equal(v.public_key_hex);
          const dat = await createDat({ key: fromHex(v.key_hex), value: fromHex(v.val_hex), privateKey: seed, time: v.time_ms });
          expect(toHex(encodeDat(dat))).to.equal(v.dat_bytes_hex);
        });
      }
    });
  }

  it('counts leading zero bits as the table says', () => {
    for (const { work_hex, bits } of dats.leading_zero_bits) expect(leadingZeroBits(fromHex(work_hex))).to.equal(bits);
    expect(leadingZeroBits(new Uint8Array(32))).to.equal(256);
  });

  it('encodes the not-found GET_ACK byte for byte', () => {
    const nf = decodeMessage(fromHex(dats.msg_get_ack_not_found_hex));
    expect(nf.op).to.equal(OP.GET_ACK);
    if (nf.op !== OP.GET_ACK) return;
    expect(isNotFound(nf.entry)).to.equal(true);
    const built = notFoundEntry(nf.entry.dat.pubKey, nf.entry.dat.key);
    expect(toHex(encodeMessage({ op: OP.GET_ACK, entry: built }))).to.equal(dats.msg_get_ack_not_found_hex);
  });
});

describe('godave v0.0.51 vectors: messages', () => {
  const m = messages;
  const dat: Dat = vectorDat();
  const entry = { dat, replicas: [1n, 2n, 3n, 4n, 5n] };
  const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => from + i);
  const built: Record<string, Message> = {
    msg_ping_hex: { op: OP.PING, challenge: seq(0, 32), usedSpace: 1234n, capacity: 99999n },
    msg_pong_hex: {
      op: OP.PONG,
      peers: [addrPort('::1', 40001), addrPort('127.0.0.1', 40002)],
      solution: {
        challenge: seq(0, 32),
        salt: seq(0x64, 16),
        pubKey: fromHex(m.public_key_hex),
        // ed25519 is deterministic: sign blake3(challenge ‖ salt) with seed 07*32
        sig: sign(signingKey(fromHex(m.seed_hex)), blake3(seq(0, 32), seq(0x64, 16))),
      },
    },
    msg_put_hex: { op: OP.PUT, entry },
    msg_get_hex: { op: OP.GET, pubKey: fromHex(m.public_key_hex), key: new TextEncoder().encode('hello') },
    msg_get_ack_hex: { op: OP.GET_ACK, entry },
    msg_getmyaddrport_hex: { op: OP.GETMYADDRPORT },
    msg_getmyaddrport_ack_hex: { op: OP.GETMYADDRPORT_ACK, addr: addrPort('::1', 40001) },
  };
  for (const [name, msg] of Object.entries(built)) {
    it(`${name}: encoding the notes' inputs gives the vector, and decode → encode is exact`, () => {
      const hex = (m as unknown as Record<string, string>)[name]!;
      expect(toHex(encodeMessage(msg))).to.equal(hex);
      expect(toHex(encodeMessage(decodeMessage(fromHex(hex))))).to.equal(hex);
    });
  }
  it('the Dat and Entry bytes match', () => {
    expect(toHex(encodeDat(dat))).to.equal(m.dat_bytes_hex);
    expect(toHex(encodeEntry(entry))).to.equal(m.entry_bytes_hex);
  });
});
