/** wire/messages: one codec entry per message, the table message.ts dispatches through, and op names by value. */
import { expect } from 'chai';
import { OP } from '../../lib/constants.js';
import { CODECS, codecOf, opName } from '../../lib/wire/messages.js';
import { decodeMessage, encodeMessage } from '../../lib/wire/message.js';
import { throwsCode } from './fixtures.js';

describe('wire/messages', () => {
  it('has one codec per op but the reserved PUT_ACK, each under its own op code and name', () => {
    for (const [name, op] of Object.entries(OP)) {
      const c = codecOf(op);
      if (op === OP.PUT_ACK) expect(c).to.equal(undefined);
      else expect([c?.op, c?.name]).to.deep.equal([op, name]);
    }
    expect(CODECS.filter((c) => c !== undefined)).to.have.length(Object.keys(OP).length - 1);
    expect(codecOf(8)).to.equal(undefined);
    expect(codecOf(2.5)).to.equal(undefined);
  });

  it('names every op by its value, whatever the order of OP\'s keys', () => {
    for (const [name, op] of Object.entries(OP)) expect(opName(op)).to.equal(name);
    expect(opName(8)).to.equal(undefined);
  });

  it('encodes and decodes through the entry of the op byte', () => {
    const m = { op: OP.GET, pubKey: new Uint8Array(32).fill(3), key: Uint8Array.of(1, 2) } as const;
    const bytes = encodeMessage(m);
    expect(bytes.length).to.equal(codecOf(OP.GET)!.preencode(m));
    expect(decodeMessage(bytes)).to.deep.equal(m);
    throwsCode(() => decodeMessage(Uint8Array.of(OP.PUT_ACK)), 'ERR_UNKNOWN_OP');
    throwsCode(() => encodeMessage({ op: OP.PUT_ACK } as never), 'ERR_UNKNOWN_OP');
    throwsCode(() => decodeMessage(new Uint8Array(0)), 'ERR_TRUNCATED');
  });
});
