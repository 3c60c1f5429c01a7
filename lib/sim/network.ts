/**
 * The simulated network behind the transport interfaces: every host has
 * its own IPv4 address; datagrams travel on the virtual clock through a
 * link model (latency distribution, loss, duplication, reordering) and
 * partitions; TCP is a pair of in-process streams opened after one link
 * latency (no loss or delay on the bytes themselves: TCP hides both).
 * Every datagram's fate is folded into `traceHash` (and kept in `trace`
 * when asked), so two runs can be compared exactly.
 */
import { Duplex } from 'node:stream';
import { type AddrPort, type AddressKey, addrPort, addressKey, bytesToIp, ipv4Word } from '../wire/address.js';
import type { SocketFactory, TcpTransport, UdpTransport } from '../transport/types.js';
import type { VirtualClock } from './clock.js';
import type { Rng } from './random.js';

/** A latency distribution: draws one delay in ms. */
export type Latency = (rng: Rng) => number;

export const latency = {
  fixed: (ms: number): Latency => () => ms,
  uniform: (min: number, max: number): Latency => (rng) => min + rng.float() * (max - min),
  /** `base` plus an exponential tail of mean `mean` (a common model of queueing delay). */
  exponential: (base: number, mean: number): Latency => (rng) => base - mean * Math.log(1 - rng.float()),
};

/** What happens to a datagram on a link. */
export interface LinkModel {
  /** One-way delay. Default uniform 5 to 50 ms. */
  latency: Latency;
  /** Probability a datagram is lost. Default 0. */
  loss: number;
  /** Probability a datagram arrives twice. Default 0. */
  duplicate: number;
  /** Probability a datagram is held back by up to `reorderMs` more (so later ones overtake it). Default 0. */
  reorder: number;
  /** Default 200. */
  reorderMs: number;
}

export const DEFAULT_LINK: Readonly<LinkModel> = Object.freeze({
  latency: latency.uniform(5, 50),
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderMs: 200,
});

/** Packets and bytes seen by one host. */
export interface HostCounters {
  packetsOut: number;
  bytesOut: number;
  packetsIn: number;
  bytesIn: number;
}

export class SimNetwork {
  private readonly udps = new Map<AddressKey, SimUdp>();
  private readonly tcps = new Map<AddressKey, SimTcp>();
  private readonly links = new Map<string, Partial<LinkModel>>();
  private readonly groups = new Map<string, number>();
  private readonly counters = new Map<string, HostCounters>();
  /** Every datagram's fate, when constructed with keepTrace. */
  readonly trace: string[] = [];
  /** FNV-1a over every trace line. */
  traceHash = 0x811c9dc5;
  datagrams = { sent: 0, delivered: 0, lost: 0, cut: 0, duplicated: 0 };
  link: LinkModel;

  constructor(
    readonly clock: VirtualClock,
    private readonly rng: Rng,
    link: Partial<LinkModel> = {},
    private readonly keepTrace = false,
  ) {
    this.link = { ...DEFAULT_LINK, ...link };
  }

  /** The sockets of the host with IPv4 address `ip`: whatever a node asks to bind, it gets `ip`. */
  host(ip: string): SocketFactory {
    return { udp: () => new SimUdp(this, ip), tcp: () => new SimTcp(this, ip) };
  }

  /** Overrides the link model between two hosts (both directions). */
  setLink(a: string, b: string, model: Partial<LinkModel>): void {
    this.links.set(pairKey(a, b), model);
  }

  /** Splits the hosts: datagrams and new connections cross no group boundary; open connections across are cut. Unlisted hosts form group 0. */
  partition(groups: string[][]): void {
    this.groups.clear();
    groups.forEach((g, i) => g.forEach((ip) => this.groups.set(ip, i + 1)));
    for (const tcp of this.tcps.values()) tcp.cutAcross();
  }

  heal(): void {
    this.groups.clear();
  }

  reachable(a: string, b: string): boolean {
    return (this.groups.get(a) ?? 0) === (this.groups.get(b) ?? 0);
  }

  countersOf(ip: string): HostCounters {
    let c = this.counters.get(ip);
    if (!c) this.counters.set(ip, (c = { packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0 }));
    return c;
  }

  modelOf(a: string, b: string): LinkModel {
    const o = this.links.get(pairKey(a, b));
    return o ? { ...this.link, ...o } : this.link;
  }

  note(line: string): void {
    const full = `${this.clock.time.toFixed(3)} ${line}`;
    let h = this.traceHash;
    for (let i = 0; i < full.length; i++) h = Math.imul(h ^ full.charCodeAt(i), 0x01000193) >>> 0;
    this.traceHash = h;
    if (this.keepTrace) this.trace.push(full);
  }

  /** @internal */
  registerUdp(key: AddressKey, u: SimUdp | null, a?: SimUdp): void {
    if (u) this.udps.set(key, u);
    else if (this.udps.get(key) === a) this.udps.delete(key);
  }

  /** @internal */
  udpAt(key: AddressKey): SimUdp | undefined {
    return this.udps.get(key);
  }

  /** @internal */
  registerTcp(key: AddressKey, t: SimTcp | null, a?: SimTcp): void {
    if (t) this.tcps.set(key, t);
    else if (this.tcps.get(key) === a) this.tcps.delete(key);
  }

  /** @internal */
  tcpAt(key: AddressKey): SimTcp | undefined {
    return this.tcps.get(key);
  }

  /**
   * Folds one datagram event into traceHash without building its line
   * (the line, as note() would keep it, only with keepTrace): kind, the
   * two endpoints, op, length and delay in µs. No allocation: this runs
   * for every datagram.
   */
  private event(kind: number, from: AddrPort, fromIp: string, to: AddrPort, toIp: string, data: Uint8Array, delay: number): void {
    if (this.keepTrace) return this.note(eventLine(kind, from, fromIp, to, toIp, data, delay));
    let h = this.traceHash;
    h = Math.imul(h ^ (this.clock.time % 0x1_0000_0000 >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ kind, 0x01000193) >>> 0;
    h = Math.imul(h ^ ipv4Word(from.ip), 0x01000193) >>> 0;
    h = Math.imul(h ^ (from.port >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ ipv4Word(to.ip), 0x01000193) >>> 0;
    h = Math.imul(h ^ (to.port >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (data[0] ?? 0xff), 0x01000193) >>> 0;
    h = Math.imul(h ^ data.length, 0x01000193) >>> 0;
    this.traceHash = Math.imul(h ^ (Math.round(delay * 1000) >>> 0), 0x01000193) >>> 0;
  }

  /** @internal One datagram through the link model. */
  sendDatagram(from: AddrPort, fromIp: string, data: Uint8Array, to: AddrPort, out: HostCounters): void {
    // the destination's text form only for a partition, a link of its own or the kept trace (not per datagram)
    const toIp = this.groups.size > 0 || this.links.size > 0 || this.keepTrace ? bytesToIp(to.ip) : '';
    this.datagrams.sent++;
    out.packetsOut++;
    out.bytesOut += data.length;
    const open = this.groups.size === 0;
    if (!open && !this.reachable(fromIp, toIp)) {
      this.datagrams.cut++;
      return this.event(1, from, fromIp, to, toIp, data, 0);
    }
    const m = this.links.size === 0 ? this.link : this.modelOf(fromIp, toIp);
    if (this.rng.chance(m.loss)) {
      this.datagrams.lost++;
      return this.event(2, from, fromIp, to, toIp, data, 0);
    }
    const copies = this.rng.chance(m.duplicate) ? 2 : 1;
    if (copies === 2) this.datagrams.duplicated++;
    const bytes = data.slice();
    const key = addressKey(to);
    for (let i = 0; i < copies; i++) {
      let delay = Math.max(0, m.latency(this.rng));
      if (this.rng.chance(m.reorder)) delay += this.rng.float() * m.reorderMs;
      this.event(3, from, fromIp, to, toIp, data, delay);
      this.clock.setTimeout(() => this.deliver(key, from, fromIp, to, toIp, bytes), delay);
    }
  }

  private deliver(key: AddressKey, from: AddrPort, fromIp: string, to: AddrPort, toIp: string, bytes: Uint8Array): void {
    const dest = this.udps.get(key);
    if (!dest || (this.groups.size > 0 && !this.reachable(fromIp, toIp || bytesToIp(to.ip)))) return this.event(4, from, fromIp, to, toIp, bytes, 0);
    this.datagrams.delivered++;
    const d = dest.counters;
    d.packetsIn++;
    d.bytesIn += bytes.length;
    dest.onmessage(bytes, from);
  }

  /** @internal A connection delay: one latency draw on the link. */
  connectDelay(a: string, b: string): number {
    return Math.max(0, this.modelOf(a, b).latency(this.rng));
  }
}

const EVENT_WORDS = ['', 'cut', 'lost', 'send', 'drop'];

/** The trace line of one datagram event (SimNetwork.event, with keepTrace). */
function eventLine(kind: number, from: AddrPort, fromIp: string, to: AddrPort, toIp: string, data: Uint8Array, delay: number): string {
  const tag = `${fromIp}:${from.port}>${toIp}:${to.port} op${data[0] ?? -1} ${data.length}B`;
  return kind === 3 ? `send ${tag} +${delay.toFixed(3)}` : `${EVENT_WORDS[kind]} ${tag}`;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

class SimUdp implements UdpTransport {
  onmessage: (data: Uint8Array, from: AddrPort) => void = () => {};
  private me: AddrPort | null = null;
  /** This host's counters (SimNetwork.countersOf). */
  readonly counters: HostCounters;
  constructor(
    private readonly net: SimNetwork,
    readonly ip: string,
  ) {
    this.counters = net.countersOf(ip);
  }

  async bind(_host: string, port: number): Promise<AddrPort> {
    const a = addrPort(this.ip, port === 0 ? 1618 : port);
    if (this.net.udpAt(addressKey(a))) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    this.net.registerUdp(addressKey(a), this);
    return (this.me = a);
  }

  send(data: Uint8Array, to: AddrPort): boolean {
    if (!this.me) return false;
    this.net.sendDatagram(this.me, this.ip, data, to, this.counters);
    return true;
  }

  async close(): Promise<void> {
    if (this.me) this.net.registerUdp(addressKey(this.me), null, this);
    this.me = null;
  }
}

interface Tracked {
  stream: Duplex;
  remoteIp: string;
}

class SimTcp implements TcpTransport {
  onconnection: (stream: Duplex, remote: AddrPort) => void = (s) => s.destroy();
  private me: AddrPort | null = null;
  private readonly open = new Set<Tracked>();
  private nextPort = 40_000;
  constructor(
    private readonly net: SimNetwork,
    readonly ip: string,
  ) {}

  async listen(_host: string, port: number): Promise<AddrPort> {
    const a = addrPort(this.ip, port);
    if (this.net.tcpAt(addressKey(a))) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    this.net.registerTcp(addressKey(a), this);
    return (this.me = a);
  }

  connect(to: AddrPort, signal: AbortSignal): Promise<Duplex> {
    const toIp = bytesToIp(to.ip);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      signal.addEventListener('abort', () => fail(new Error(`connect to ${toIp}:${to.port} timed out`)), { once: true });
      // the SYN takes one latency; an unreachable host never answers (the signal ends the wait)
      this.net.clock.setTimeout(() => {
        if (settled || !this.net.reachable(this.ip, toIp)) return;
        const server = this.net.tcpAt(addressKey(to));
        if (!server) return fail(Object.assign(new Error(`connection refused: ${toIp}:${to.port}`), { code: 'ECONNREFUSED' }));
        const [client, accepted] = duplexPair();
        settled = true;
        this.track(client, toIp);
        server.track(accepted, this.ip);
        server.onconnection(accepted, addrPort(this.ip, this.nextPort++));
        resolve(client);
      }, this.net.connectDelay(this.ip, toIp));
    });
  }

  /** @internal */
  track(stream: Duplex, remoteIp: string): void {
    const t = { stream, remoteIp };
    this.open.add(t);
    stream.on('error', () => {});
    stream.once('close', () => this.open.delete(t));
  }

  /** @internal Destroys connections to hosts no longer reachable. */
  cutAcross(): void {
    for (const t of [...this.open]) if (!this.net.reachable(this.ip, t.remoteIp)) t.stream.destroy();
  }

  async close(): Promise<void> {
    if (this.me) this.net.registerTcp(addressKey(this.me), null, this);
    this.me = null;
    for (const t of [...this.open]) t.stream.destroy();
  }
}

/** Two in-process stream ends; the end of one ends the other, as a TCP socket does. */
export function duplexPair(): [Duplex, Duplex] {
  const make = (): Duplex & { peer?: Duplex } => {
    const d: Duplex & { peer?: Duplex } = new Duplex({
      allowHalfOpen: false,
      read() {},
      write(chunk, _enc, cb) {
        d.peer!.push(chunk);
        cb();
      },
      final(cb) {
        d.peer!.push(null);
        cb();
      },
      destroy(err, cb) {
        if (d.peer && !d.peer.destroyed) d.peer.destroy();
        cb(err);
      },
    });
    return d;
  };
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
