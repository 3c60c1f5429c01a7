/**
 * Small node:http helpers: JSON answers, the `{ code, message }` error
 * body, and a request body read with a size limit (413 past it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorCode, isDaveError } from '../errors.js';

/** Largest request body accepted (a signed record in JSON is ~3 kB). */
export const MAX_BODY = 16 * 1024;

/** Codes of the API's own gate (guard.ts) and load limits (limit.ts). */
export type ApiGateCode = 'ERR_HOST_NOT_ALLOWED' | 'ERR_UNSUPPORTED_MEDIA_TYPE' | 'ERR_CROSS_SITE' | 'ERR_BUSY';

/** An error answered with its own HTTP status; `code` is a DaveError code or an API code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'ERR_BAD_JSON' | 'ERR_BODY_TOO_LARGE' | 'ERR_UNAUTHORIZED' | 'ERR_NO_ROUTE' | 'ERR_METHOD' | 'ERR_INTERNAL' | 'ERR_TOO_MANY_STREAMS' | ApiGateCode,
    message: string,
  ) {
    super(message);
  }
}

/** HTTP status for a DaveError code. */
export function statusOf(code: string): number {
  switch (code) {
    case 'ERR_NOT_FOUND':
      return 404;
    case 'ERR_OLDER_THAN_STORED':
    case 'ERR_DUPLICATE':
    case 'ERR_PUBKEY_MISMATCH':
      return 409;
    case 'ERR_INSUFFICIENT_PRIORITY':
    case 'ERR_STORAGE_FULL':
      return 507;
    case 'ERR_TIMEOUT':
      return 504;
    case 'ERR_NO_ACTIVE_PEERS':
    case 'ERR_STORAGE_UNAVAILABLE':
    case 'ERR_CLOSED':
    case 'ERR_ABORTED':
    case 'ERR_CONNECTION':
      return 503;
    case 'ERR_DATABASE':
    case 'ERR_DATABASE_CORRUPT':
      return 500;
    default:
      return 400; // argument, codec and verification codes: the client sent something wrong
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers `err` as `{ code, message }` with the matching status. */
export function sendError(res: ServerResponse, err: unknown): void {
  let status = 500;
  let code = 'ERR_INTERNAL';
  let message = 'internal error';
  if (err instanceof ApiError) [status, code, message] = [err.status, err.code, err.message];
  else if (isDaveError(err)) [status, code, message] = [statusOf(err.code), err.code, err.message];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 401) res.setHeader('www-authenticate', 'Bearer');
  if (code === 'ERR_BUSY') res.setHeader('retry-after', '1');
  sendJson(res, status, { code, message });
}

/**
 * The request body, at most MAX_BODY bytes.
 * @throws ApiError 413 ERR_BODY_TOO_LARGE
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError(413, 'ERR_BODY_TOO_LARGE', `request body over ${limit} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'ERR_BODY_TOO_LARGE', `request body over ${limit} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * The request body parsed as a JSON object.
 * @throws ApiError 400 ERR_BAD_JSON, 413 ERR_BODY_TOO_LARGE
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'ERR_BAD_JSON', `body is not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(400, 'ERR_BAD_JSON', 'body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
