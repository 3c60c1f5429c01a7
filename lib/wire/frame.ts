/**
 * TCP framing, docs/protocol.md §10: u16 length (at most MAX_MSG_LEN), then that many
 * bytes of message. FrameDecoder reassembles frames split across chunks.
 */
import { MAX_MSG_LEN } from '../constants.js';
import { DaveError } from '../errors.js';
import { writeU16 } from './bytes.js';

/**
 * Prefixes a message with its u16 length.
 * @throws DaveError ERR_TOO_LARGE over MAX_MSG_LEN, ERR_BAD_LENGTH when empty
 */
export function encodeFrame(message: Uint8Array): Uint8Array {
  if (message.length > MAX_MSG_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `frame body is ${message.length} bytes, at most ${MAX_MSG_LEN}`);
  }
  if (message.length === 0) throw new DaveError('ERR_BAD_LENGTH', 'frame body is empty');
  const out = new Uint8Array(2 + message.length);
  writeU16(out, 0, message.length);
  out.set(message, 2);
  return out;
}

/**
 * Streaming deframer. Feed it chunks as they arrive; it returns the whole
 * frame bodies they complete, in order, and keeps any partial tail. A bad
 * length prefix makes push() throw; if good frames came before it in the
 * same chunk, those are returned first (godave applies them before it
 * reads the bad length) and the next push() throws. After a throw the
 * stream is unusable (end the connection).
 */
export class FrameDecoder {
  private pending: Uint8Array = new Uint8Array(0);
  private failure: DaveError | null = null;

  /**
   * @throws DaveError ERR_TOO_LARGE when a length prefix is over
   *   MAX_MSG_LEN, ERR_BAD_LENGTH when it is zero
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    const frames: Uint8Array[] = [];
    let o = 0;
    while (buf.length - o >= 2) {
      const len = buf[o]! | (buf[o + 1]! << 8);
      if (len > MAX_MSG_LEN || len === 0) {
        this.failure =
          len === 0
            ? new DaveError('ERR_BAD_LENGTH', 'frame length is zero')
            : new DaveError('ERR_TOO_LARGE', `frame length ${len} is over ${MAX_MSG_LEN}`);
        this.pending = new Uint8Array(0);
        if (frames.length === 0) throw this.failure;
        return frames;
      }
      if (buf.length - o - 2 < len) break;
      frames.push(buf.slice(o + 2, o + 2 + len));
      o += 2 + len;
    }
    this.pending = buf.slice(o);
    return frames;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }
}
