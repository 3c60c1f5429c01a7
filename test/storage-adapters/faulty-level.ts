/**
 * A fault-injecting abstract-level database for tests: any adapter's class
 * (memory-level, classic-level) with its private write and read methods
 * wrapped, so a test can make the next N writes fail, fail writes until
 * it releases them, or fail reads. A failure looks like LevelDB's: code
 * LEVEL_IO_ERROR and the OS error in the message (ENOSPC by default).
 * Disarmed, it is the adapter itself (the shared adapter suite runs on it).
 */
import type { AnyLevel } from '../../lib/store/layout.js';

export interface FaultPlan {
  /** The next `n` writes (batch, put, del) fail. */
  failNextWrites(n: number, message?: string): void;
  /** Every write fails until the returned function is called. */
  failWritesUntilReleased(message?: string): () => void;
  /** Reads (get, getMany) fail while on. */
  failReads(on: boolean, message?: string): void;
  /** Writes that failed, and writes that went through. */
  readonly failedWrites: number;
  readonly writes: number;
}

const ENOSPC = 'IO error: /data/000005.log: No space left on device';

function ioError(message: string): Error {
  return Object.assign(new Error(message), { code: 'LEVEL_IO_ERROR' });
}

class Plan implements FaultPlan {
  failedWrites = 0;
  writes = 0;
  private next = 0;
  private held = false;
  private reads = false;
  private writeMessage = ENOSPC;
  private readMessage = ENOSPC;

  failNextWrites(n: number, message = ENOSPC): void {
    this.next = n;
    this.writeMessage = message;
  }

  failWritesUntilReleased(message = ENOSPC): () => void {
    this.held = true;
    this.writeMessage = message;
    return () => void (this.held = false);
  }

  failReads(on: boolean, message = ENOSPC): void {
    this.reads = on;
    this.readMessage = message;
  }

  write(): void {
    if (this.held || this.next > 0) {
      if (this.next > 0) this.next--;
      this.failedWrites++;
      throw ioError(this.writeMessage);
    }
    this.writes++;
  }

  read(): void {
    if (this.reads) throw ioError(this.readMessage);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LevelClass = new (...args: any[]) => AnyLevel;

/** `Base` with faults: instances have a `faults` plan. */
export function withFaults<C extends LevelClass>(Base: C): C & (new (...args: never[]) => AnyLevel & { faults: FaultPlan }) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const B = Base as any;
  class Faulty extends B {
    faults = new Plan();
    async _batch(...a: unknown[]): Promise<unknown> {
      this.faults.write();
      return super._batch(...a);
    }
    async _put(...a: unknown[]): Promise<unknown> {
      this.faults.write();
      return super._put(...a);
    }
    async _del(...a: unknown[]): Promise<unknown> {
      this.faults.write();
      return super._del(...a);
    }
    async _get(...a: unknown[]): Promise<unknown> {
      this.faults.read();
      return super._get(...a);
    }
    async _getMany(...a: unknown[]): Promise<unknown> {
      this.faults.read();
      return super._getMany(...a);
    }
  }
  return Faulty as never;
}
