/**
 * LocalClient: the NodeClient of a node in this process. It signs writes
 * with the node's user key, falls back to storing here alone while the
 * node has no proven peer, and reports each get's latency and outcome to
 * an observer (the /metrics histogram).
 */
import { DaveError, isDaveError } from '../errors.js';
import { type SigningKey } from '../crypto/ed25519.js';
import { createDat } from '../workers/create-dat.js';
import { fromHex, toHex } from '../wire/bytes.js';
import { edgeTexts } from './join.js';
import type { Dat } from '../wire/dat.js';
import type { Dave } from '../node/dave.js';
import { PACKAGE_VERSION } from './package-files.js';
import {
  type NodeClient,
  type PeerView,
  type RecordPage,
  type JoinView,
  type RecordView,
  type StatusView,
  type WrittenView,
  idHex,
  peerView,
  recordView,
  storeHealthView,
  writtenView,
} from './views.js';
import type { WriteReport } from '../node/writes/batch-writer.js';

export type GetOutcome = 'found' | 'not_found' | 'error';

export interface LocalClientOptions {
  /** The key that signs put() and del(). */
  userKey: SigningKey;
  /** The node's join ticket (computed by the caller, which knows the host's addresses). */
  ticket: () => string;
  /** Called after every get with its duration in seconds. */
  observeGet?: (seconds: number, outcome: GetOutcome) => void;
  /** Keeps an edge for the next start (`join --save`); absent: saving is refused. */
  saveEdge?: (edge: string) => void;
}

/** Most records one list() page returns. */
export const MAX_PAGE = 1000;

/**
 * "me" or 64 hex digits, as bytes.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function parseOwner(owner: string, me: Uint8Array): Uint8Array {
  if (owner === 'me') return me;
  if (!/^[0-9a-fA-F]{64}$/.test(owner)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `owner must be "me" or a public key of 64 hex digits, got ${JSON.stringify(owner.slice(0, 80))}`);
  }
  return fromHex(owner, 'owner');
}

export class LocalClient implements NodeClient {
  private readonly startedAt = performance.now();

  constructor(
    readonly node: Dave,
    private readonly options: LocalClientOptions,
  ) {}

  get userPublicKey(): Uint8Array {
    return this.options.userKey.publicKey;
  }

  async status(): Promise<StatusView> {
    const n = this.node;
    return {
      id: idHex(n.id),
      publicKey: toHex(n.publicKey),
      userKey: toHex(this.userPublicKey),
      address: n.address(),
      publicAddress: n.publicAddress(),
      ticket: this.options.ticket(),
      peers: { active: n.activePeerCount(), known: n.peers().length },
      records: n.recordCount(),
      usedSpace: n.usedSpace(),
      capacity: n.capacity(),
      network: n.networkUsedSpaceAndCapacity(),
      version: PACKAGE_VERSION,
      uptimeSeconds: Math.floor((performance.now() - this.startedAt) / 1000),
      storeHealth: storeHealthView(n.storeHealth()),
    };
  }

  async peers(): Promise<PeerView[]> {
    return this.node.peers().map(peerView);
  }

  async get(owner: string, key: string): Promise<RecordView | null> {
    const pub = parseOwner(owner, this.userPublicKey);
    const started = performance.now();
    const done = (outcome: GetOutcome) => this.options.observeGet?.((performance.now() - started) / 1000, outcome);
    try {
      const entry = await this.node.get(pub, key);
      done('found');
      return recordView(entry);
    } catch (err) {
      if (isDaveError(err, 'ERR_NOT_FOUND') || isDaveError(err, 'ERR_NO_ACTIVE_PEERS')) {
        done('not_found');
        return null;
      }
      done('error');
      throw err;
    }
  }

  async list(owner: string, options: { prefix?: string; after?: string; limit?: number } = {}): Promise<RecordPage> {
    const pub = parseOwner(owner, this.userPublicKey);
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new DaveError('ERR_INVALID_ARGUMENT', `limit must be an integer from 1 to ${MAX_PAGE}`);
    }
    const page = await this.node.localRecords(pub, { prefix: options.prefix, after: options.after, limit });
    return { records: page.entries.map(recordView), next: page.next };
  }

  async put(key: string, value: string): Promise<WrittenView> {
    const dat = await createDat({ key, value, privateKey: this.options.userKey });
    return writtenView({ dat, replicas: [] }, await this.write(dat));
  }

  async del(key: string): Promise<WrittenView> {
    return this.put(key, '');
  }

  /**
   * Adds an edge at run time through Dave.addEdge (the checks of --edge);
   * a host name is resolved first (api/join.ts). `save` keeps the text as
   * given for the next start.
   * @throws DaveError ERR_BAD_ADDRESS, ERR_INVALID_ARGUMENT (also: save on a node without a data directory), ERR_CLOSED
   */
  async join(edge: string, save: boolean): Promise<JoinView> {
    if (typeof edge !== 'string' || edge.trim() === '') throw new DaveError('ERR_INVALID_ARGUMENT', 'edge must be a ticket, an address or host:port');
    if (save && !this.options.saveEdge) throw new DaveError('ERR_INVALID_ARGUMENT', 'this node keeps no edges file (no data directory): join without save');
    const added = [];
    for (const text of await edgeTexts(edge, this.node.address())) added.push(...this.node.addEdge(text));
    if (save) this.options.saveEdge!(edge);
    return { added, saved: save };
  }

  /**
   * Writes a complete signed record: to its replicas when the node has a
   * proven peer, else here alone (replication sends it on later). Resolves
   * to where it went; a refusal of this node's store is an error either way.
   * @throws DaveError the verification and store codes (ERR_OLDER_THAN_STORED,
   *   ERR_DUPLICATE, ERR_PUBKEY_MISMATCH, ERR_INSUFFICIENT_PRIORITY,
   *   ERR_STORAGE_FULL, ERR_STORAGE_UNAVAILABLE), ERR_CONNECTION, ERR_CLOSED
   */
  async write(dat: Dat): Promise<WriteReport> {
    try {
      return await this.node.put(dat);
    } catch (err) {
      if (!isDaveError(err, 'ERR_NO_ACTIVE_PEERS')) throw err;
      return this.node.storeLocal(dat);
    }
  }
}
