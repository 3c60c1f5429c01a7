/**
 * A small case of each simulation experiment (benchmarks/sim-*.ts), with
 * short virtual time: each asserts the outcome the full run reports.
 */
import { expect } from 'chai';
import * as E from '../../benchmarks/sim/experiments.js';

describe('sim: experiments, small cases', function () {
  this.timeout(60_000);

  it('1 convergence: 8 nodes all see each other active within a virtual minute', async () => {
    const r = await E.convergence(8, { maxMs: 60_000 });
    expect(r.ms).to.be.a('number').and.within(5_000, 60_000); // activation takes 5 s at least
  });

  it('2 reads under loss: every read succeeds at 0% loss, and still most at 20%', async () => {
    const clean = await E.readsUnderLoss(0, { n: 10, reads: 5 });
    expect(clean.success).to.equal(1);
    expect(clean.medianMs).to.be.lessThan(200);
    const lossy = await E.readsUnderLoss(0.2, { n: 10, reads: 5 });
    expect(lossy.success).to.be.at.least(0.6);
  });

  it('3 churn: with 10 s replication, the 5 closest live nodes hold every record through two minutes of 30% churn', async () => {
    const r = await E.churn(0.3, { n: 12, minutes: 2, records: 4, crypto: 'cheap' });
    expect(r.crypto).to.equal('cheap');
    expect(r.points).to.have.length(2);
    for (const p of r.points) {
      expect(p.replicaCopies, `minute ${p.minute}`).to.equal(5); // the godave rule left ~3-4 here
      expect(p.missing.listed + p.missing.unlisted).to.equal(0);
      expect(p.success).to.equal(1);
      // bounded traffic: at most FANOUT PUTs per record per pass
      expect(p.maxPutsPerNodePass).to.be.at.most(5 * 4);
      expect(p.putsPerNodePass).to.be.greaterThan(0);
    }
  });

  it('4 partition: a record written on one side is unreadable on the other until the heal', async () => {
    const r = await E.partitionHeal({ n: 8, records: 2, splitMs: 15_000, healMs: 20_000 });
    expect(r.crossDuring).to.equal(0);
    expect(r.crossAfter).to.equal(1);
    expect(r.duringA).to.be.greaterThan(0);
  });

  it('5 misbehaving nodes: liars are caught by verification, a flooder only adds malformed counts', async () => {
    const liar = await E.roles('liar', 0.3, { n: 10, records: 4 });
    expect(liar.verifyFailures).to.be.greaterThan(0);
    const flood = await E.roles('flooder', 5, { n: 8, records: 3 });
    expect(flood.malformed).to.be.greaterThan(0);
    expect(flood.success).to.equal(1);
    const free = await E.roles('freeloader', 0.3, { n: 10, records: 4 });
    expect(free.badHeld).to.equal(0); // they were sent records (they are replicas) and kept none
    expect(free.success).to.be.greaterThan(0);
  });

  it('7 scale: nodes opened at once find each other, with cheap crypto, and the run reports CPU and memory', async () => {
    const r = await E.scale(30, { virtualMs: 15_000 });
    expect(r.crypto).to.equal('cheap');
    expect(r.active).to.be.greaterThan(20);
    expect(r.cpuS).to.be.greaterThan(0);
    expect(r.heapPerNodeKiB).to.be.a('number');
    // every node pings every peer it knows each second, and answers (the last 10 s include some still joining)
    expect(r.packetsPerNodeS).to.be.within(r.known, 2 * r.known + 4);
  });

  it('8 past the table: with tables of 16 and 64 nodes, writers and readers no longer agree on the closest', async () => {
    const fits = await E.pastTable(16, { maxPeers: 16, settleMs: 20_000, records: 3, readersPer: 2 });
    expect(fits.success).to.equal(1);
    expect(fits.writerTrue).to.equal(5);
    const past = await E.pastTable(64, { maxPeers: 16, settleMs: 20_000, records: 3, readersPer: 2 });
    expect(past.known).to.be.at.most(16);
    expect(past.writerTrue).to.be.lessThan(5);
    expect(past.writerReader).to.be.lessThan(fits.writerReader);
    expect(past.crypto).to.equal('cheap');
  });

  it('6 cost: every node pings every other each second', async () => {
    const r = await E.cost(6, { virtualMs: 5_000 });
    // 5 PINGs and 5 PONGs out per node per second, give or take an edge's GETMYADDRPORT
    expect(r.packetsPerNodeS).to.be.within(9, 12);
    expect(r.cpuMsPerVirtualS).to.be.greaterThan(0);
  });
});
