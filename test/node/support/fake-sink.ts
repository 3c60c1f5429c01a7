/** A FrameSink stand-in that records what was pushed, for the writer and replication tests. */
import type { FrameSink } from '../../../lib/node/writes/frame-sink.js';

export class FakeSink {
  readonly pushed: Uint8Array[] = [];
  failed = false;
  closedByPeer = false;
  error: Error | null = null;
  ended = false;
  push(msg: Uint8Array): void {
    this.pushed.push(msg);
  }
  async ready(): Promise<void> {}
  async end(): Promise<void> {
    this.ended = true;
  }
}

export const asSink = (s: FakeSink): FrameSink => s as unknown as FrameSink;
