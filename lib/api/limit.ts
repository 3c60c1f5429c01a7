/**
 * A bound on requests of one kind in flight (listings, backups): past it a
 * request is answered at once with 503 ERR_BUSY and `Retry-After: 1`
 * rather than queued, so a burst of them cannot pile up work or memory.
 */
import { ApiError } from './http.js';

/** Listings (GET /records/:owner) served at once. */
export const MAX_LISTINGS = 4;
/** Backups (GET /backup) streamed at once. */
export const MAX_BACKUPS = 2;

export class InFlight {
  private running = 0;

  constructor(
    /** What is limited, for the error message ("listings"). */
    private readonly what: string,
    readonly max: number,
  ) {}

  /** Requests running now. */
  get count(): number {
    return this.running;
  }

  /**
   * Runs `fn` when fewer than `max` run, else throws at once.
   * @throws ApiError 503 ERR_BUSY
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      throw new ApiError(503, 'ERR_BUSY', `${this.max} ${this.what} are already running; retry in a second`);
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
    }
  }
}
