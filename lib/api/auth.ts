/**
 * Who may call the API. Bound to a loopback address, reads and writes of
 * records the client signed itself are open; anything else needs the
 * bearer token. Bound to any other address, every request needs it.
 * Writes that the node signs with its own user key need it everywhere.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ApiError } from './http.js';

/** A fresh token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return /^::ffff:127\./i.test(h);
}

export class Auth {
  private readonly token: Buffer;

  constructor(
    token: string,
    /** The server listens on loopback only. */
    private readonly loopback: boolean,
  ) {
    this.token = Buffer.from(token);
  }

  /** 'none' (no Authorization header), 'wrong' (a header without this token), or 'ok'. */
  private tokenState(req: IncomingMessage): 'none' | 'wrong' | 'ok' {
    if (req.headers.authorization === undefined) return 'none';
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization);
    if (!m) return 'wrong';
    const given = Buffer.from(m[1]!);
    return given.length === this.token.length && timingSafeEqual(given, this.token) ? 'ok' : 'wrong';
  }

  /**
   * Throws 401 unless the request may go on; `signsWithNodeKey` marks a
   * write the node signs with its user key.
   * @throws ApiError 401 ERR_UNAUTHORIZED
   */
  check(req: IncomingMessage, signsWithNodeKey: boolean): void {
    const state = this.tokenState(req);
    if (state === 'ok') return;
    if (this.loopback && !signsWithNodeKey) return;
    // a missing and a wrong token are different mistakes: say which
    if (state === 'wrong') {
      throw new ApiError(401, 'ERR_UNAUTHORIZED', 'the bearer token is wrong: send the node\'s token (DIR/api.token, or --api-token) as Authorization: Bearer TOKEN');
    }
    throw new ApiError(
      401,
      'ERR_UNAUTHORIZED',
      signsWithNodeKey
        ? 'no bearer token: this request acts as the node (signs with its key, or changes its edges) and needs Authorization: Bearer TOKEN (DIR/api.token)'
        : 'no bearer token: this API needs Authorization: Bearer TOKEN (DIR/api.token)',
    );
  }
}
