/** Join tickets (lib/cli/ticket.ts) and sizes (lib/cli/size.ts). */
import { expect } from 'chai';
import { decodeTicket, dialableAddresses, encodeTicket, looksLikeTicket } from '../../lib/cli/ticket.js';
import { parseSize } from '../../lib/cli/size.js';
import { formatAddress, parseAddress } from '../../lib/wire/address.js';

describe('cli/ticket', () => {
  const publicKey = Uint8Array.from({ length: 32 }, (_, i) => i);
  const addresses = ['203.0.113.7:1618', '[2001:db8::1]:1618'].map(parseAddress);

  it('round-trips a public key with IPv4 and IPv6 addresses', () => {
    const t = encodeTicket({ publicKey, addresses });
    expect(looksLikeTicket(t)).to.equal(true);
    expect(looksLikeTicket('127.0.0.1:1618')).to.equal(false);
    const back = decodeTicket(t);
    expect(back.publicKey).to.deep.equal(publicKey);
    expect(back.addresses.map(formatAddress)).to.deep.equal(['203.0.113.7:1618', '[2001:db8::1]:1618']);
  });

  it('refuses a ticket with one character changed, dropped or added', () => {
    const t = encodeTicket({ publicKey, addresses });
    const i = 20;
    const swapped = t.slice(0, i) + (t[i] === 'a' ? 'b' : 'a') + t.slice(i + 1);
    for (const bad of [swapped, t.slice(0, -1), t + 'x', 'dave']) {
      expect(() => decodeTicket(bad), bad).to.throw(/damaged|length/);
    }
    expect(() => decodeTicket('1.2.3.4:5')).to.throw(/starts with "dave"/);
  });

  it('lists the bound address, or interface addresses for a wildcard bind', () => {
    expect(dialableAddresses('127.0.0.1:4000', null).map(formatAddress)).to.deep.equal(['127.0.0.1:4000']);
    const any = dialableAddresses('0.0.0.0:4000', '198.51.100.1:4000').map(formatAddress);
    expect(any[0]).to.equal('198.51.100.1:4000');
    expect(any.length).to.be.at.least(2);
    expect(any.every((a) => a.endsWith(':4000') && !a.startsWith('['))).to.equal(true);
  });
});

describe('cli/size', () => {
  it('reads bytes, SI and binary units', () => {
    expect(parseSize('1073741824')).to.equal(1073741824);
    expect(parseSize('512MB')).to.equal(512e6);
    expect(parseSize('2GiB')).to.equal(2 * 1024 ** 3);
    expect(parseSize('64k')).to.equal(64000);
    expect(parseSize('1.5 KiB')).to.equal(1536);
    for (const bad of ['', 'abc', '-1', '12 parsecs', '1e3']) expect(parseSize(bad), bad).to.equal(null);
  });
});
