/**
 * Fuzzing the decoders (lib/wire) with fast-check: on any input,
 * decodeMessage, decodeEntry and decodeDat either throw a DaveError whose
 * code is one of ERROR_CODES, or return a value whose re-encoding is the
 * input byte for byte. Inputs: every prefix of every godave vector, and
 * random mutations of the vectors (bit flips, byte sets, insertions,
 * deletions, truncations, random bytes).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { DaveError, ERROR_CODES } from '../../lib/errors.js';
import { equalBytes, fromHex, toHex } from '../../lib/wire/bytes.js';
import { decodeDat, encodeDat } from '../../lib/wire/dat.js';
import { decodeEntry, encodeEntry } from '../../lib/wire/entry.js';
import { decodeMessage, encodeMessage } from '../../lib/wire/message.js';
import { dats, messages } from '../vectors.js';

const CODES = new Set<string>(ERROR_CODES);

const messageVectors = [
  messages.msg_ping_hex,
  messages.msg_pong_hex,
  messages.msg_put_hex,
  messages.msg_get_hex,
  messages.msg_get_ack_hex,
  messages.msg_getmyaddrport_hex,
  messages.msg_getmyaddrport_ack_hex,
  dats.msg_get_ack_not_found_hex,
  ...dats.dats.flatMap((d) => (d.msg_put_hex ? [d.msg_put_hex] : [])),
].map((h) => fromHex(h));
const entryVectors = [messages.entry_bytes_hex, ...dats.dats.map((d) => d.entry_bytes_hex)].map((h) => fromHex(h));
const datVectors = [messages.dat_bytes_hex, ...dats.dats.map((d) => d.dat_bytes_hex)].map((h) => fromHex(h));
const allVectors = [...messageVectors, ...entryVectors, ...datVectors];

const codecs = [
  { name: 'message', decode: decodeMessage, encode: encodeMessage as (v: unknown) => Uint8Array },
  { name: 'entry', decode: decodeEntry, encode: encodeEntry as (v: unknown) => Uint8Array },
  { name: 'dat', decode: decodeDat, encode: encodeDat as (v: unknown) => Uint8Array },
];

/** Counts outcomes; throws (failing the property) on anything else. */
const tally = { decoded: 0, rejected: 0 };
function checkAll(bytes: Uint8Array): void {
  for (const c of codecs) {
    let value: unknown;
    try {
      value = c.decode(bytes);
    } catch (err) {
      if (!(err instanceof DaveError) || !CODES.has(err.code)) {
        throw new Error(`decode${c.name} threw ${String(err)} on ${toHex(bytes)}`);
      }
      tally.rejected++;
      continue;
    }
    const again = c.encode(value);
    if (!equalBytes(again, bytes)) {
      throw new Error(`decode${c.name} → encode changed ${toHex(bytes)} into ${toHex(again)}`);
    }
    tally.decoded++;
  }
}

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'set'; pos: number; byte: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; len: number }
  | { kind: 'truncate'; len: number }
  | { kind: 'random'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.nat(7) }) },
  // "interesting" bytes more often than uniform ones: lengths and ops live at the edges
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      pos: fc.nat(),
      byte: fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 7, 8, 17, 18, 0x7f, 0x80, 0xfe, 0xff), fc.nat(255)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), len: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 1500 }) }) },
);

function apply(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      out[m.pos % n] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      out[m.pos % n] = m.byte;
      return out;
    }
    case 'insert': {
      const p = m.pos % (n + 1);
      return new Uint8Array([...input.subarray(0, p), ...m.bytes, ...input.subarray(p)]);
    }
    case 'delete': {
      const p = n === 0 ? 0 : m.pos % n;
      return new Uint8Array([...input.subarray(0, p), ...input.subarray(p + m.len)]);
    }
    case 'truncate':
      return input.subarray(0, m.len % (n + 1));
    case 'random':
      return m.bytes;
  }
}

/** Property runs; each decodes 1..4 successive mutants with all three decoders. */
const RUNS = 100_000;

describe('wire/fuzz', function () {
  this.timeout(60_000);

  it('every prefix of every vector throws only DaveErrors with known codes, or round-trips', () => {
    let prefixes = 0;
    for (const v of allVectors) {
      for (let n = 0; n <= v.length; n++, prefixes++) checkAll(v.subarray(0, n));
    }
    expect(prefixes).to.be.greaterThan(10_000);
  });

  it(`${RUNS.toLocaleString('en-US')} runs of 1-4 stacked random mutations (~250,000 mutants × 3 decoders): a known DaveError or an exact round trip`, () => {
    tally.decoded = 0;
    tally.rejected = 0;
    let mutants = 0;
    fc.assert(
      fc.property(fc.nat(allVectors.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        let bytes = allVectors[which]!;
        for (const m of ms) {
          bytes = apply(bytes, m);
          checkAll(bytes);
          mutants++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(mutants).to.be.greaterThan(200_000);
    // the mutations must leave some inputs decodable, or the round-trip half is untested
    expect(tally.decoded).to.be.greaterThan(10_000);
    expect(tally.rejected).to.be.greaterThan(100_000);
  });
});
