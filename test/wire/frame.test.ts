/**
 * lib/wire/frame.ts: u16-length frames and the streaming FrameDecoder,
 * with frames split at every byte position.
 */
import { expect } from 'chai';
import { MAX_MSG_LEN } from '../../lib/constants.js';
import { fromHex, toHex } from '../../lib/wire/bytes.js';
import { FrameDecoder, encodeFrame } from '../../lib/wire/frame.js';
import { messages } from '../vectors.js';
import { throwsCode } from './fixtures.js';

const bodies = [
  fromHex(messages.msg_put_hex),
  fromHex(messages.msg_getmyaddrport_hex),
  fromHex(messages.msg_ping_hex),
  new Uint8Array(MAX_MSG_LEN).fill(7),
];
const stream = new Uint8Array(bodies.reduce((n, b) => n + 2 + b.length, 0));
{
  let o = 0;
  for (const b of bodies) {
    stream.set(encodeFrame(b), o);
    o += 2 + b.length;
  }
}
const hexes = bodies.map(toHex);

describe('wire/frame', () => {
  it('prefixes a body with its u16 length', () => {
    expect(toHex(encodeFrame(Uint8Array.of(6)))).to.equal('010006');
    expect(toHex(encodeFrame(new Uint8Array(MAX_MSG_LEN)).subarray(0, 2))).to.equal('9005');
  });

  it('refuses to frame an empty body (ERR_BAD_LENGTH) or one over 1424 bytes (ERR_TOO_LARGE)', () => {
    throwsCode(() => encodeFrame(new Uint8Array(0)), 'ERR_BAD_LENGTH');
    throwsCode(() => encodeFrame(new Uint8Array(MAX_MSG_LEN + 1)), 'ERR_TOO_LARGE');
  });

  it('decodes several frames from one chunk', () => {
    const d = new FrameDecoder();
    expect(d.push(stream).map(toHex)).to.deep.equal(hexes);
    expect(d.buffered).to.equal(0);
  });

  it('reassembles the stream split in two at every byte position', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))].map(toHex);
      if (got.join() !== hexes.join()) expect.fail(`split at ${cut}`);
      expect(d.buffered).to.equal(0);
    }
  });

  it('reassembles the stream fed one byte at a time', () => {
    const d = new FrameDecoder();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      got.push(...d.push(stream.subarray(i, i + 1)).map(toHex));
    }
    expect(got).to.deep.equal(hexes);
  });

  it('keeps a partial tail and reports it as buffered', () => {
    const d = new FrameDecoder();
    expect(d.push(stream.subarray(0, 5))).to.deep.equal([]);
    expect(d.buffered).to.equal(5);
  });

  it('returns frames that do not alias the chunk', () => {
    const d = new FrameDecoder();
    const chunk = Uint8Array.from(stream);
    const frames = d.push(chunk);
    chunk.fill(0);
    expect(frames.map(toHex)).to.deep.equal(hexes);
  });

  it('throws ERR_TOO_LARGE for a length prefix over 1424, even before the body arrives', () => {
    throwsCode(() => new FrameDecoder().push(Uint8Array.of(0x91, 0x05)), 'ERR_TOO_LARGE');
    throwsCode(() => new FrameDecoder().push(Uint8Array.of(0xff, 0xff, 1, 2)), 'ERR_TOO_LARGE');
    const d = new FrameDecoder();
    d.push(Uint8Array.of(0x91));
    throwsCode(() => d.push(Uint8Array.of(0x05)), 'ERR_TOO_LARGE');
  });

  it('throws ERR_BAD_LENGTH for a zero length prefix', () => {
    throwsCode(() => new FrameDecoder().push(Uint8Array.of(0, 0)), 'ERR_BAD_LENGTH');
    const d = new FrameDecoder();
    expect(d.push(encodeFrame(Uint8Array.of(6))).length).to.equal(1);
    throwsCode(() => d.push(Uint8Array.of(0, 0, 1)), 'ERR_BAD_LENGTH');
    throwsCode(() => d.push(encodeFrame(Uint8Array.of(6))), 'ERR_BAD_LENGTH'); // and stays failed
  });

  it('returns the good frames before a bad prefix in the same chunk, then throws on the next push', () => {
    const chunk = new Uint8Array([...encodeFrame(Uint8Array.of(6)), ...encodeFrame(Uint8Array.of(7, 8)), 0xff, 0xff]);
    const d = new FrameDecoder();
    expect(d.push(chunk).map(toHex)).to.deep.equal(['06', '0708']);
    throwsCode(() => d.push(new Uint8Array(0)), 'ERR_TOO_LARGE');
  });
});
