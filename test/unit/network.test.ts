import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressSpace, DEFAULT_ADDRESS_POOLS, parseAddressPool, pickSubnet } from '../../src/network/ipam.js';
import { formatIPv4, formatSubnet, macForAddress, parseIPv4, parseSubnet, subnetsOverlap } from '../../src/network/ipv4.js';
import { linkEnvironment, parseLink, storedLink } from '../../src/network/links.js';

const subnet = (text: string) => parseSubnet(text)!;
const ip = (text: string) => parseIPv4(text)!;

describe('ipv4', () => {
  test('parses, normalises and formats', () => {
    assert.equal(formatSubnet(subnet('172.17.3.4/16')), '172.17.0.0/16');
    assert.equal(formatIPv4(ip('255.255.255.255')), '255.255.255.255');
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '01.2.3.4.5']) assert.equal(parseIPv4(bad), undefined, bad);
    for (const bad of ['1.2.3.4/33', '1.2.3.4', '1.2.3.4/', '1.2.3/8']) assert.equal(parseSubnet(bad), undefined, bad);
    assert.ok(subnetsOverlap(subnet('10.0.0.0/8'), subnet('10.1.0.0/16')));
    assert.ok(!subnetsOverlap(subnet('10.0.0.0/16'), subnet('10.1.0.0/16')));
  });

  test("gives dockerd's MAC for an address", () => {
    assert.equal(macForAddress(ip('172.17.0.2')), '02:42:ac:11:00:02');
  });
});

describe('ipam', () => {
  test('picks the first default pool no route or network uses', () => {
    assert.equal(formatSubnet(pickSubnet(DEFAULT_ADDRESS_POOLS, [])), '172.17.0.0/16');
    assert.equal(formatSubnet(pickSubnet(DEFAULT_ADDRESS_POOLS, [subnet('172.17.0.0/16'), subnet('172.18.5.0/24')])), '172.19.0.0/16');
    const taken = Array.from({ length: 15 }, (_, i) => subnet(`172.${17 + i}.0.0/16`));
    assert.equal(formatSubnet(pickSubnet(DEFAULT_ADDRESS_POOLS, taken)), '192.168.0.0/20');
    assert.equal(formatSubnet(pickSubnet([parseAddressPool('base=10.10.0.0/16,size=24')], [subnet('10.10.0.0/24')])), '10.10.1.0/24');
    assert.throws(() => parseAddressPool('base=10.10.0.0/16,size=8'), /invalid default address pool/);
  });

  test('allocates the first free address, skipping the gateway, and honours requests and ranges', () => {
    const space = new AddressSpace(subnet('10.0.0.0/29'), ip('10.0.0.1'));
    assert.equal(formatIPv4(space.allocate()), '10.0.0.2');
    assert.equal(formatIPv4(space.allocate(ip('10.0.0.5'))), '10.0.0.5');
    assert.throws(() => space.allocate(ip('10.0.0.5')), /Address already in use/);
    assert.throws(() => space.allocate(ip('10.0.1.5')), /no configured subnet/);
    assert.deepEqual([space.allocate(), space.allocate(), space.allocate()].map(formatIPv4), ['10.0.0.3', '10.0.0.4', '10.0.0.6']);
    // .7 is the broadcast address
    assert.throws(() => space.allocate(), /no available IPv4 addresses/);
    space.release(ip('10.0.0.3'));
    assert.equal(formatIPv4(space.allocate()), '10.0.0.3');
    const ranged = new AddressSpace(subnet('10.0.0.0/24'), ip('10.0.0.1'), subnet('10.0.0.128/25'));
    assert.equal(formatIPv4(ranged.allocate()), '10.0.0.128');
  });
});

describe('links', () => {
  test('parse and store as dockerd does', () => {
    assert.deepEqual(parseLink('db:cache'), { name: 'db', alias: 'cache' });
    assert.deepEqual(parseLink('db'), { name: 'db', alias: 'db' });
    assert.deepEqual(parseLink('/db:/app/cache'), { name: 'db', alias: 'cache' });
    assert.equal(storedLink({ name: 'db', alias: 'cache' }, '/app'), '/db:/app/cache');
  });

  test('environment in dockerd order, ranges grouped', () => {
    const env = linkEnvironment({ alias: 'my-db', parentName: '/app', childIp: '10.0.0.2', exposedPorts: ['5433/tcp', '5432/tcp', '5434/tcp', '53/udp'], childEnv: ['PATH=/bin', 'A=1'] });
    assert.deepEqual(env, [
      'MY_DB_PORT=udp://10.0.0.2:53',
      'MY_DB_PORT_5432_TCP_START=tcp://10.0.0.2:5432',
      'MY_DB_PORT_5432_TCP_ADDR=10.0.0.2',
      'MY_DB_PORT_5432_TCP_PROTO=tcp',
      'MY_DB_PORT_5432_TCP_PORT_START=5432',
      'MY_DB_PORT_5432_TCP_END=tcp://10.0.0.2:5434',
      'MY_DB_PORT_5432_TCP_PORT_END=5434',
      'MY_DB_PORT_53_UDP=udp://10.0.0.2:53',
      'MY_DB_PORT_53_UDP_ADDR=10.0.0.2',
      'MY_DB_PORT_53_UDP_PORT=53',
      'MY_DB_PORT_53_UDP_PROTO=udp',
      ...['5432', '5433', '5434'].flatMap((p) => [`MY_DB_PORT_${p}_TCP=tcp://10.0.0.2:${p}`, `MY_DB_PORT_${p}_TCP_ADDR=10.0.0.2`, `MY_DB_PORT_${p}_TCP_PORT=${p}`, `MY_DB_PORT_${p}_TCP_PROTO=tcp`]),
      'MY_DB_NAME=/app/my-db',
      'MY_DB_ENV_A=1',
    ]);
  });
});
