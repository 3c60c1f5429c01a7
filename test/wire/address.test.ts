/**
 * lib/wire/address.ts: IPv4 mapping, IPv6 text forms, parsing and
 * formatting, the 18 wire bytes, and bad input.
 */
import { expect } from 'chai';
import {
  addrPort,
  addressKey,
  bytesToIp,
  checkAddrPort,
  decodeAddress,
  encodeAddress,
  formatAddress,
  ipToBytes,
  isMappedIPv4,
  parseAddress,
} from '../../lib/wire/address.js';
import { toHex } from '../../lib/wire/bytes.js';
import { throwsCode } from '../support/assert.js';


describe('wire/address', () => {
  it('maps IPv4 to ::ffff:a.b.c.d', () => {
    expect(toHex(ipToBytes('1.2.3.4'))).to.equal('00000000000000000000ffff01020304');
    expect(isMappedIPv4(ipToBytes('1.2.3.4'))).to.equal(true);
    expect(toHex(ipToBytes('::ffff:1.2.3.4'))).to.equal(toHex(ipToBytes('1.2.3.4')));
    expect(isMappedIPv4(ipToBytes('::1'))).to.equal(false);
  });

  it('parses IPv6 literals, with brackets, zones and embedded IPv4', () => {
    expect(toHex(ipToBytes('::1'))).to.equal('00'.repeat(15) + '01');
    expect(toHex(ipToBytes('::'))).to.equal('00'.repeat(16));
    expect(toHex(ipToBytes('[2001:db8::1]'))).to.equal('20010db8' + '00'.repeat(11) + '01');
    expect(toHex(ipToBytes('fe80::1%eth0'))).to.equal('fe80' + '00'.repeat(13) + '01');
    expect(toHex(ipToBytes('1:2:3:4:5:6:7:8'))).to.equal('00010002000300040005000600070008');
    expect(toHex(ipToBytes('64:ff9b::192.0.2.33'))).to.equal('0064ff9b' + '00'.repeat(8) + 'c0000221');
  });

  it('formats IPv6 compressed: longest zero run (first of equals), single zeros kept', () => {
    const round = (s: string) => bytesToIp(ipToBytes(s));
    expect(round('0:0:0:0:0:0:0:1')).to.equal('::1');
    expect(round('0:0:0:0:0:0:0:0')).to.equal('::');
    expect(round('2001:db8:0:0:1:0:0:1')).to.equal('2001:db8::1:0:0:1');
    expect(round('2001:db8:0:0:0:1:0:0')).to.equal('2001:db8::1:0:0');
    expect(round('2001:db8:0:1:2:3:4:5')).to.equal('2001:db8:0:1:2:3:4:5');
    expect(round('1:0:0:0:0:0:0:0')).to.equal('1::');
    expect(round('FE80:0000::00AB')).to.equal('fe80::ab');
    expect(round('::ffff:10.0.0.1')).to.equal('10.0.0.1');
  });

  it('parses and formats host:port for both families', () => {
    const v4 = parseAddress('127.0.0.1:40002');
    expect(v4.port).to.equal(40002);
    expect(formatAddress(v4)).to.equal('127.0.0.1:40002');
    const v6 = parseAddress('[::1]:40001');
    expect(formatAddress(v6)).to.equal('[::1]:40001');
    expect(formatAddress(parseAddress('[::ffff:1.2.3.4]:5'))).to.equal('1.2.3.4:5');
    expect(formatAddress(addrPort('2001:db8::7', 0))).to.equal('[2001:db8::7]:0');
  });

  it('refuses bad addresses and ports with ERR_BAD_ADDRESS', () => {
    for (const bad of ['', 'localhost:80', '1.2.3.4', '1.2.3.4:', '1.2.3.256:1', '::1:80', '[::1]', '[::1]:x', '[zz::1]:1', '1.2.3.4:65536', ' 1.2.3.4:1']) {
      throwsCode(() => parseAddress(bad), 'ERR_BAD_ADDRESS');
    }
    throwsCode(() => parseAddress(42 as unknown as string), 'ERR_BAD_ADDRESS');
    throwsCode(() => addrPort('1.2.3.4', -1), 'ERR_BAD_ADDRESS');
    throwsCode(() => addrPort('1.2.3.4', 1.5), 'ERR_BAD_ADDRESS');
    throwsCode(() => ipToBytes('example.com'), 'ERR_BAD_ADDRESS');
  });

  it('encodes 16 address bytes then the port little-endian, and decodes them back', () => {
    const a = addrPort('::1', 40001);
    const out = new Uint8Array(20);
    expect(encodeAddress(a, out, 1)).to.equal(19);
    expect(toHex(out)).to.equal('00' + '00'.repeat(15) + '01' + '419c' + '00');
    const back = decodeAddress(out, 1);
    expect(formatAddress(back)).to.equal('[::1]:40001');
    out[1] = 0xff; // the decoded ip is a copy
    expect(back.ip[0]).to.equal(0);
  });

  it('throws ERR_TRUNCATED when fewer than 18 bytes remain', () => {
    throwsCode(() => decodeAddress(new Uint8Array(18), 1), 'ERR_TRUNCATED');
    throwsCode(() => decodeAddress(new Uint8Array(17), 0), 'ERR_TRUNCATED');
  });

  it('checks an address to encode: 16-byte ip, integer port 0..65535', () => {
    expect(checkAddrPort(addrPort('::1', 1))).to.have.property('port', 1);
    throwsCode(() => checkAddrPort({ ip: new Uint8Array(4), port: 1 }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => checkAddrPort({ ip: new Uint8Array(16), port: 65536 }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => checkAddrPort(null as never), 'ERR_INVALID_ARGUMENT');
  });

  it('gives equal map keys for equal addresses, different for different ports', () => {
    expect(addressKey(parseAddress('1.2.3.4:5'))).to.equal(addressKey(parseAddress('[::ffff:1.2.3.4]:5')));
    expect(addressKey(parseAddress('1.2.3.4:5'))).to.not.equal(addressKey(parseAddress('1.2.3.4:6')));
  });

  it('keys IPv4 (mapped) addresses as the number address x 65536 + port, every other address as the hex of its 16 bytes', () => {
    expect(addressKey(parseAddress('10.0.1.1:1618'))).to.equal(0x0a000101 * 65536 + 1618);
    expect(addressKey(parseAddress('255.255.255.255:65535'))).to.equal(2 ** 48 - 1);
    expect(addressKey(parseAddress('[::ffff:1.2.3.4]:0'))).to.equal(0x01020304 * 65536);
    for (const text of ['[fe80::ffff:1.2.3.4]:9', '[::fffe:1.2.3.4]:9', '[2001:db8::1]:443', '[::1]:5', '[::]:0']) {
      const a = parseAddress(text);
      expect(addressKey(a), text).to.equal(`${toHex(a.ip)}:${a.port}`);
    }
  });

  it('gives distinct keys to distinct addresses: IPv4 neighbours, ports, and an IPv6 address with the same last bytes', () => {
    const texts = ['1.2.3.4:5', '1.2.3.4:6', '1.2.3.5:5', '1.2.4.4:5', '0.0.0.0:0', '0.0.0.1:0', '0.0.0.0:1', '[::1.2.3.4]:5', '[fe80::ffff:1.2.3.4]:5', '[::1]:5'];
    const keys = new Set(texts.map((t) => addressKey(parseAddress(t))));
    expect(keys.size).to.equal(texts.length);
  });
});
