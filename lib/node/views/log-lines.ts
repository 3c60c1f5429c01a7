/**
 * Short names for the node's debug lines: a record as owner/key, a size
 * a person reads. Built only when debug lines are kept (isSilent).
 */
import { toHex } from '../../wire/bytes.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `31f3322d4923d36c/"greeting"`: the owner's first 8 bytes and the key (text, or 0x hex). */
export function recordName(pubKey: Uint8Array, key: Uint8Array): string {
  let k: string;
  try {
    k = JSON.stringify(utf8.decode(key));
  } catch {
    k = `0x${toHex(key)}`;
  }
  return `${toHex(pubKey.subarray(0, 8))}/${k.length > 80 ? `${k.slice(0, 77)}...` : k}`;
}

/**
 * "1.50 GiB", "12.5 MiB", "512 B": `decimals` after the point (default 2
 * below 10 units, else 1). Never throws.
 */
export function formatSize(bytes: number, decimals?: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(decimals ?? (v < 10 ? 2 : 1))} ${units[i]}`;
}
