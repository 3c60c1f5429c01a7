/**
 * dave-kv/sim: a deterministic, virtual-time network of real Dave nodes
 * (docs/simulation.md).
 */
export { Simulation, type SimulationOptions, type AddNodeOptions, type SimNode } from './simulation.js';
export { SimNetwork, DEFAULT_LINK, latency, duplexPair, type Latency, type LinkModel, type HostCounters } from './network.js';
export { VirtualClock, SIM_EPOCH_MS, settle } from './clock.js';
export { Rng, hashString } from './random.js';
export { Flooder, freeloaderStore, liarStore, type Role } from './roles.js';
export { type CryptoMode } from './simulation.js';
export { CHEAP_WORK_BITS } from './cheap-crypto.js';
