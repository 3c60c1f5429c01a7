/**
 * Experiment 7: scale. N nodes (cheap crypto unless DAVE_SIM_CRYPTO=real),
 * all bootstrapped from the first, for a virtual time from the start:
 * process CPU time (user + system) and wall time, memory per node, packets
 * per node per virtual second at the end, peers known and active.
 * DAVE_SIM_BOOTSTRAP=random: each node's edge is a random earlier node.
 * Run: node --expose-gc --max-semi-space-size=64 dist/benchmarks/sim-scale.js N [maxPeers] [virtual s]
 * (progress every 5 virtual s on stderr: CPU s, wall s, datagrams, heap)
 */
import { scale } from './sim/experiments.js';
import type { CryptoMode } from '../lib/sim/index.js';

const n = Number(process.argv[2] ?? 1000);
const maxPeers = process.argv[3] ? Number(process.argv[3]) : undefined;
const virtualS = Number(process.argv[4] ?? 60);
const crypto = (process.env['DAVE_SIM_CRYPTO'] ?? 'cheap') as CryptoMode;
const bootstrap = (process.env['DAVE_SIM_BOOTSTRAP'] ?? 'first') as 'first' | 'random';
const r = await scale(n, { seed: 1, crypto, bootstrap, virtualMs: virtualS * 1000, ...(maxPeers ? { peerLimits: { maxPeers } } : {}), progress: (line) => console.error(line) });
console.log(JSON.stringify(r));
