/**
 * Golden vectors produced by godave v0.0.51 (commit a20a735) running its own
 * Marshal/Verify functions; read from ../shared/vectors, or from
 * test/vectors/ when the shared folder is absent (same files, same source).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test
const candidates = [join(here, '../../test/vectors'), join(here, '../../../shared/vectors')];

export const VECTORS_DIR = candidates.find((d) => existsSync(join(d, 'godave-v0.0.51-dats.json')))!;
if (!VECTORS_DIR) throw new Error(`godave vectors not found in ${candidates.join(' or ')}`);

export interface DatVector {
  name: string;
  seed_hex: string;
  public_key_hex: string;
  peer_id_u64: string;
  key: string;
  key_hex: string;
  val_hex: string;
  time_ms: number;
  salt_hex: string;
  work_hex: string;
  sig_hex: string;
  work_leading_zero_bits: number;
  dat_bytes_hex: string;
  replicas_u64: string[];
  entry_bytes_hex: string;
  msg_put_hex?: string;
  msg_put_marshal_error?: string;
  store_key_u64: string;
  shard: number;
  entry_size: number;
  verify_error: string;
}

export interface DatsFile {
  dats: DatVector[];
  fanout: number;
  leading_zero_bits: { work_hex: string; bits: number }[];
  max_msg_len: number;
  min_work: number;
  msg_get_ack_not_found_hex: string;
  source: string;
}

export interface MessagesFile {
  dat: { key: string; salt_hex: string; sig_hex: string; time_ms: number; val_hex: string; work_hex: string };
  dat_bytes_hex: string;
  entry_bytes_hex: string;
  msg_get_ack_hex: string;
  msg_get_hex: string;
  msg_getmyaddrport_ack_hex: string;
  msg_getmyaddrport_hex: string;
  msg_ping_hex: string;
  msg_pong_hex: string;
  msg_put_hex: string;
  public_key_hex: string;
  seed_hex: string;
  source: string;
  notes: Record<string, string>;
}

export const dats: DatsFile = JSON.parse(readFileSync(join(VECTORS_DIR, 'godave-v0.0.51-dats.json'), 'utf8'));
export const messages: MessagesFile = JSON.parse(
  readFileSync(join(VECTORS_DIR, 'godave-v0.0.51-messages.json'), 'utf8'),
);
export const backup10: Uint8Array = new Uint8Array(readFileSync(join(VECTORS_DIR, 'godave-v0.0.51-backup-10.bin')));
