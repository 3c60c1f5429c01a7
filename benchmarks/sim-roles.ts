/**
 * Experiment 5: misbehaving nodes, trust off (the baseline for the trust
 * experiment). 20 nodes of which a share are freeloaders (keep nothing,
 * answer not-found) or liars (answer with forged records); or one host
 * flooding malformed datagrams. Honest nodes write 20 records and honest
 * non-holders read each once. Real crypto (the liars' records fail the
 * real signature check). Run: node dist/benchmarks/sim-roles.js
 */
import { roles } from './sim/experiments.js';
import { chart, lineSpec, publish, table, type Row } from './sim/report.js';

const rows: Row[] = [];
const cases: ['freeloader' | 'liar' | 'flooder', number][] = [
  ['freeloader', 0],
  ['freeloader', 0.2],
  ['freeloader', 0.4],
  ['freeloader', 0.6],
  ['freeloader', 0.8],
  ['liar', 0.2],
  ['liar', 0.4],
  ['liar', 0.6],
  ['liar', 0.8],
  ['flooder', 10],
  ['flooder', 50],
];
for (const [role, share] of cases) {
  const seeds = [1, 2];
  let success = 0;
  let verifyFailures = 0;
  let malformed = 0;
  for (const seed of seeds) {
    const r = await roles(role, share, { seed, n: 20, records: 20 });
    success += r.success / seeds.length;
    verifyFailures += r.verifyFailures;
    malformed += r.malformed;
  }
  const label = role === 'flooder' ? `${share * 20} datagrams/s` : `${share * 100}%`;
  rows.push({ role, share: label, x: role === 'flooder' ? null : share * 100, success: success * 100, verifyFailures, malformed });
  console.error(JSON.stringify(rows.at(-1)));
}
// trust: the same runs after a warm-up (60 records written, 60 virtual s of
// challenge rounds), trust off against trust on at the default challenge
// probability (0.1) and at 0.5
const trustRows: Row[] = [];
for (const role of ['freeloader', 'liar'] as const) {
  for (const share of [0.4, 0.6, 0.8]) {
    const row: Row = { role, share: `${share * 100}%`, x: share * 100 };
    for (const [name, trust] of [['off', false], ['p0.1', {}], ['p0.5', { challengeProbability: 0.5 }]] as const) {
      let success = 0;
      for (const seed of [1, 2]) success += (await roles(role, share, { seed, n: 20, records: 20, warmup: 60, warmupMs: 60_000, trust })).success / 2;
      row[name] = success * 100;
    }
    trustRows.push(row);
    console.error(JSON.stringify(row));
  }
}
publish(
  'roles-trust',
  '### 5b. Misbehaving nodes, trust off and on, after a warm-up (N = 20, 60 warm-up records and 60 virtual s, 20 reads x 2 seeds, real crypto)',
  table(trustRows, [
    ['role', 'role'],
    ['share', 'share'],
    ['off', 'reads ok %, trust off', 1],
    ['p0.1', 'trust on, p 0.1', 1],
    ['p0.5', 'trust on, p 0.5', 1],
  ]),
  trustRows,
);
await chart('roles', lineSpec('Misbehaving nodes (trust off): reads that succeed', rows.filter((r) => r.x !== null), ['x', 'misbehaving share (%)'], ['success', 'success %'], ['role', 'role']));
publish(
  'roles',
  '### 5. Misbehaving nodes, trust off (N = 20, 20 reads x 2 seeds, real crypto)',
  table(rows, [
    ['role', 'role'],
    ['share', 'share / rate'],
    ['success', 'reads ok %', 1],
    ['verifyFailures', 'verify failures (honest nodes)'],
    ['malformed', 'malformed datagrams counted'],
  ]) + '\n\n![roles](sim/roles.svg)',
  rows,
);
