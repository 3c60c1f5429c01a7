/**
 * Key files: a 32-byte ed25519 seed as 64 hex digits and a newline, mode
 * 0600. The node key (node.key) is the node's identity; the user key
 * (user.key) signs the records the node writes for its user.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { SEED_LEN } from '../constants.js';
import { RunError, messageOf } from './fail.js';

/**
 * The seed in `file`, or undefined when there is no such file.
 * @throws RunError when the file cannot be read or does not hold a seed
 */
export function readKeyFile(file: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new RunError(`cannot read key file ${file}: ${messageOf(err)}`);
  }
  const t = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(t)) {
    throw new RunError(`key file ${file} is malformed: expected ${SEED_LEN * 2} hex digits (an ed25519 seed)`);
  }
  return new Uint8Array(Buffer.from(t, 'hex'));
}

/**
 * Creates `file` holding `seed` (default a fresh one), mode 0600; refuses
 * to overwrite.
 * @throws RunError
 */
export function createKeyFile(file: string, seed: Uint8Array = new Uint8Array(randomBytes(SEED_LEN))): Uint8Array {
  try {
    writeFileSync(file, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new RunError(code === 'EEXIST' ? `${file} exists; not overwriting a key` : `cannot write key file ${file}: ${messageOf(err)}`);
  }
  return seed;
}

/** The seed in `file`, created there when absent. */
export function loadOrCreateKey(file: string): Uint8Array {
  return readKeyFile(file) ?? createKeyFile(file);
}
