// The CLI side of networking: `network create|ls|rm|prune|connect` requests and output, `port`,
// and the PORTS column of ps. Expected outputs and request bodies were captured from the real
// docker CLI (28.2.2) against dockerd 20.10.24 (or, for request bodies, a fake API 1.41 daemon
// that logs them); the API documents below are what that dockerd returned.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkResource, PortMap, PortSummary } from '../../src/api/types.js';
import type { Cli, Command } from '../../src/cli/command.js';
import { StatusError } from '../../src/cli/command.js';
import { parseFlags } from '../../src/cli/flags.js';
import { commandHelp } from '../../src/cli/help.js';
import { portCommand, portLines } from '../../src/cli/commands/container/port.js';
import { buildNetworkCreateRequest, createIpamConfig, networkCreateCommand } from '../../src/cli/commands/network/create.js';
import { goTimeOfRfc3339, networkListCommand } from '../../src/cli/commands/network/list.js';
import { networkConnectCommand, networkPruneCommand, networkRemoveCommand } from '../../src/cli/commands/network/manage.js';
import { displayablePorts } from '../../src/cli/util/ports.js';
import { naturalCompare, naturalLess } from '../../src/cli/util/sortorder.js';
import { DaemonError } from '../../src/client/errors.js';

/** Runs a command with parsed flags against a stub client; returns stdout, stderr and the status. */
async function runCommand(command: Command, argv: string[], client: Record<string, unknown>, stdin = '') {
  let out = '';
  let err = '';
  const { flags, args } = parseFlags(command.flags, argv);
  const input = {
    on(event: string, fn: (chunk?: Buffer) => void) {
      if (event === 'data') setImmediate(() => fn(Buffer.from(stdin)));
      if (event === 'end') setImmediate(() => setImmediate(() => fn()));
    },
    off() {},
    pause() {},
  };
  const cli = {
    in: input,
    out: { write: (s: string) => ((out += s), true) },
    err: { write: (s: string) => ((err += s), true) },
    commandPath: `berth network ${command.name}`,
    client: () => client,
  } as unknown as Cli;
  let status = 0;
  try {
    status = (await command.run(cli, flags, args)) ?? 0;
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    status = e.code;
    if (e.message) err += `${e.message}\n`;
  }
  return { out, err, status };
}

const NETWORKS = [
  { Name: 'n9', Id: 'aae8e24cc7690b01d806a3556234b7a35e3b9a714b56b241575c230a0ff6a438', Created: '2026-11-29T12:44:52.357599065Z', Scope: 'local', Driver: 'bridge', EnableIPv6: true, Internal: false, Labels: {} },
  { Name: 'N2', Id: '80607439cbaa1eb7cde71ba6d69fecc721dac1fa3a01179f278917c5c5f2654c', Created: '2026-11-29T12:44:52.388945017Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false, Internal: false, Labels: {} },
  { Name: 'none', Id: 'f99957b602c54cde931cbed804ec97c4fd52f16c99613800e6b2941e1e2cd921', Created: '2026-11-29T12:38:01.791682512Z', Scope: 'local', Driver: 'null', EnableIPv6: false, Internal: false, Labels: {} },
  { Name: 'host', Id: '04fc22529a88faf4131a73e99746c06e854324d9e82287d9fb9ca1c4237165d5', Created: '2026-11-29T12:38:01.793249394Z', Scope: 'local', Driver: 'host', EnableIPv6: false, Internal: false, Labels: {} },
  { Name: 'nport', Id: 'cf2a3d3de111b11d0b29a630a94d2e729550d45a46d3e29288a17fe3aa15b74a', Created: '2026-11-29T12:40:10.471206418Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false, Internal: false, Labels: {} },
  { Name: 'n10', Id: '825e8718576be15984a8cf367bccfa42816f03e24e912361b3e4444884866469', Created: '2026-11-29T12:44:52.32547157Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false, Internal: true, Labels: { b: '2', a: '1' } },
] as unknown as NetworkResource[];

const LS_CASES: [string[], string][] = [
  [
    [],
    `NETWORK ID     NAME      DRIVER    SCOPE
80607439cbaa   N2        bridge    local
04fc22529a88   host      host      local
aae8e24cc769   n9        bridge    local
825e8718576b   n10       bridge    local
f99957b602c5   none      null      local
cf2a3d3de111   nport     bridge    local
`,
  ],
  [['-q'], '80607439cbaa\n04fc22529a88\naae8e24cc769\n825e8718576b\nf99957b602c5\ncf2a3d3de111\n'],
  [
    ['--format', '{{.Name}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}|{{.Label "a"}}|{{.CreatedAt}}'],
    `N2|false|false|||2026-11-29 12:44:52.388945017 +0000 UTC
host|false|false|||2026-11-29 12:38:01.793249394 +0000 UTC
n9|true|false|||2026-11-29 12:44:52.357599065 +0000 UTC
n10|false|true|a=1,b=2|1|2026-11-29 12:44:52.32547157 +0000 UTC
none|false|false|||2026-11-29 12:38:01.791682512 +0000 UTC
nport|false|false|||2026-11-29 12:40:10.471206418 +0000 UTC
`,
  ],
  [
    ['--no-trunc', '--format', 'table {{.ID}}\t{{.Labels}}', '-f', 'label=a'],
    `NETWORK ID                                                         LABELS
80607439cbaa1eb7cde71ba6d69fecc721dac1fa3a01179f278917c5c5f2654c   
04fc22529a88faf4131a73e99746c06e854324d9e82287d9fb9ca1c4237165d5   
aae8e24cc7690b01d806a3556234b7a35e3b9a714b56b241575c230a0ff6a438   
825e8718576be15984a8cf367bccfa42816f03e24e912361b3e4444884866469   a=1,b=2
f99957b602c54cde931cbed804ec97c4fd52f16c99613800e6b2941e1e2cd921   
cf2a3d3de111b11d0b29a630a94d2e729550d45a46d3e29288a17fe3aa15b74a   
`,
  ],
  [
    ['--format', 'json', '-f', 'name=n10'],
    '{"CreatedAt":"2026-11-29 12:44:52.32547157 +0000 UTC","Driver":"bridge","ID":"825e8718576b","IPv4":"false","IPv6":"false","Internal":"true","Labels":"a=1,b=2","Name":"n10","Scope":"local"}\n',
  ],
];

for (const [argv, expected] of LS_CASES) {
  test(`network ls ${argv.join(' ')}`, async () => {
    let filters: Map<string, string[]> | undefined;
    const client = {
      networkList: async (f: Map<string, string[]>) => {
        filters = f;
        const name = f.get('name')?.[0];
        return NETWORKS.filter((n) => !name || n.Name === name).map((n) => ({ ...n }));
      },
    };
    const { out, status } = await runCommand(networkListCommand, argv, client);
    assert.equal(status, 0);
    assert.equal(out, expected);
    if (argv.includes('label=a')) assert.deepEqual([...(filters ?? [])], [['label', ['a']]]);
  });
}

test('network ls --format with an unknown field: docker’s message, status 1', async () => {
  assert.deepEqual(await runCommand(networkListCommand, ['--format', '{{.Nope}}'], { networkList: async () => NETWORKS }), {
    out: '',
    err: 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *network.networkContext\n',
    status: 1,
  });
});

test('natural order of names', () => {
  assert.deepEqual(['n10', 'n9', 'N2', 'host', 'n09', 'a', 'a1b', 'a01b', '1'].sort(naturalCompare), ['1', 'N2', 'a', 'a1b', 'a01b', 'host', 'n9', 'n09', 'n10']);
  assert.equal(naturalLess('x2', 'x10'), true);
  assert.equal(naturalLess('x10', 'x2'), false);
  assert.equal(naturalLess('x', 'x'), false);
});

test('created times as Go prints a time.Time', () => {
  assert.equal(goTimeOfRfc3339('2026-11-29T12:44:52.32547157Z'), '2026-11-29 12:44:52.32547157 +0000 UTC');
  assert.equal(goTimeOfRfc3339('2026-11-29T12:44:52Z'), '2026-11-29 12:44:52 +0000 UTC');
});

// network create: requests docker 28 sent for the same flags (API 1.41; EnableIPv6 only when --ipv6 is given)
const CREATE_CASES: [string[], Record<string, unknown>][] = [
  [
    ['n1'],
    { Driver: 'bridge', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'n1', CheckDuplicate: true },
  ],
  [
    ['--subnet', '10.1.0.0/16', '--subnet', '10.2.0.0/24', '--gateway', '10.1.0.1', '--ip-range', '10.1.1.0/24', '--aux-address', 'a=10.1.0.2', '--aux-address', 'b=10.2.0.3', 'n'],
    {
      Driver: 'bridge', Scope: '',
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.1.0.0/16', IPRange: '10.1.1.0/24', Gateway: '10.1.0.1', AuxiliaryAddresses: { a: '10.1.0.2' } }, { Subnet: '10.2.0.0/24', AuxiliaryAddresses: { b: '10.2.0.3' } }] },
      Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'n', CheckDuplicate: true,
    },
  ],
  [
    ['--subnet', '10.0.0.0/8', '--ip-range', '10.0.0.0/24', '--gateway', '10.0.0.1', '--aux-address', 'x=10.0.0.2', '--aux-address', 'y=10.0.0.3', '-o', 'com.docker.network.bridge.name=br0', '-o', 'mtu', 'n'],
    {
      Driver: 'bridge', Scope: '',
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.0.0.0/8', IPRange: '10.0.0.0/24', Gateway: '10.0.0.1', AuxiliaryAddresses: { x: '10.0.0.2', y: '10.0.0.3' } }] },
      Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: { 'com.docker.network.bridge.name': 'br0', mtu: '' }, Labels: {}, Name: 'n', CheckDuplicate: true,
    },
  ],
  [
    ['--subnet', '10.0.0.0/8,fd00::/64', '--gateway', 'fd00::1', '--ip-range', 'fd00::/80', '--ipv6', 'n'],
    {
      Driver: 'bridge', Scope: '', EnableIPv6: true,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.0.0.0/8' }, { Subnet: 'fd00::/64', IPRange: 'fd00::/80', Gateway: 'fd00::1' }] },
      Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'n', CheckDuplicate: true,
    },
  ],
  [
    ['-d', 'overlay', '--scope', 'swarm', '--config-from', 'base', '--attachable', '--ingress', '--internal', '--config-only', '--label', 'a=1', '--label', 'b', '--ipam-driver', 'other', '--ipam-opt', 'k=v', 'n'],
    {
      Driver: 'overlay', Scope: 'swarm', IPAM: { Driver: 'other', Options: { k: 'v' }, Config: [] },
      Internal: true, Attachable: true, Ingress: true, ConfigOnly: true, ConfigFrom: { Network: 'base' }, Options: {}, Labels: { a: '1', b: '' }, Name: 'n', CheckDuplicate: true,
    },
  ],
  [
    ['--ipv6=false', '--subnet', '"a,b"', 'n'],
    // one subnet alone is not checked by the CLI (the daemon does)
    {
      Driver: 'bridge', Scope: '', EnableIPv6: false, IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: 'a,b' }] },
      Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'n', CheckDuplicate: true,
    },
  ],
];

for (const [argv, expected] of CREATE_CASES) {
  test(`network create ${argv.join(' ')}`, async () => {
    const sent: unknown[] = [];
    const { out, status } = await runCommand(networkCreateCommand, argv, { networkCreate: async (body: unknown) => (sent.push(body), { Id: 'abc', Warning: '' }) });
    assert.equal(status, 0);
    assert.equal(out, 'abc\n');
    assert.deepEqual(sent, [expected]);
  });
}

test('network create: docker’s client-side IPAM errors', () => {
  const ipam = (subnets: string[], ipRanges: string[] = [], gateways: string[] = [], auxAddresses: Record<string, string> = {}) => () =>
    createIpamConfig({ subnets, ipRanges, gateways, auxAddresses });
  const cases: [() => unknown, string][] = [
    [ipam([], [], ['1.2.3.4']), 'every ip-range or gateway must have a corresponding subnet'],
    [ipam(['10.0.0.0/8'], ['10.1.0.0/24', '10.2.0.0/24']), 'every ip-range or gateway must have a corresponding subnet'],
    [ipam(['10.0.0.0/8', '10.1.0.0/16']), 'multiple overlapping subnet configuration is not supported'],
    [ipam(['10.0.0.0/8'], [], ['11.0.0.1']), 'no matching subnet for gateway 11.0.0.1'],
    [ipam(['10.0.0.0/8'], [], ['foo']), 'no matching subnet for gateway foo'],
    [ipam(['10.0.0.0/8'], ['11.0.0.0/24']), 'no matching subnet for range 11.0.0.0/24'],
    [ipam(['10.0.0.0/8'], ['10.0.0.1']), 'invalid CIDR address: 10.0.0.1'],
    [ipam(['10.0.0.0/8'], ['10.0.0.0/33']), 'invalid CIDR address: 10.0.0.0/33'],
    [ipam(['10.0.0.0/8'], [], [], { a: '11.0.0.1' }), 'no matching subnet for aux-address 11.0.0.1'],
    [ipam(['10.0.0.0/8'], [], [], { '11.0.0.1': '' }), 'no matching subnet for aux-address '],
    [ipam(['foo'], [], ['1.2.3.4']), 'invalid subnet: invalid CIDR address: foo'],
    [ipam(['foo', 'bar']), 'invalid subnet: invalid CIDR address: bar'],
    [ipam(['10.0.0.0/8', 'fd00::/64'], [], ['10.0.0.1', '10.0.0.2']), 'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/8)'],
  ];
  for (const [fn, message] of cases) assert.throws(fn, (err: Error) => (assert.equal(err.message, message), true));
  // a gateway given as a CIDR is accepted, as in docker
  assert.deepEqual(ipam(['10.0.0.0/8'], [], ['10.0.0.1/8'])(), [{ Subnet: '10.0.0.0/8', Gateway: '10.0.0.1/8' }]);
  assert.deepEqual(ipam(['fd00::/64', '10.0.0.0/8'], [], ['10.255.255.254'])(), [{ Subnet: 'fd00::/64' }, { Subnet: '10.0.0.0/8', Gateway: '10.255.255.254' }]);
});

test('network create --label validation, strings flags as CSV', () => {
  assert.throws(() => parseFlags(networkCreateCommand.flags, ['--label', '', 'x']), /^Error: invalid argument "" for "--label" flag: invalid label '': empty name$/);
  assert.throws(() => parseFlags(networkCreateCommand.flags, ['--subnet', 'a"b', 'x']), /invalid argument "a\\"b" for "--subnet" flag: parse error on line 1, column 2: bare " in non-quoted-field/);
  const { flags } = parseFlags(networkCreateCommand.flags, ['--subnet', '10.0.0.0/16', '--subnet', '10.1.0.0/16,10.2.0.0/16', 'x']);
  assert.deepEqual((buildNetworkCreateRequest('x', flags).IPAM?.Config ?? []).map((c) => c.Subnet), ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16']);
});

test('network connect: the endpoint config docker sends', async () => {
  const sent: unknown[] = [];
  const client = { networkConnect: async (network: string, body: unknown) => void sent.push([network, body]) };
  await runCommand(networkConnectCommand, ['n1', 'c1'], client);
  await runCommand(
    networkConnectCommand,
    ['--alias', 'a,b', '--alias', 'c', '--ip', '10.0.0.2', '--ip6', 'fe80::1', '--link', 'x:y', '--link-local-ip', '169.254.0.1,169.254.0.2', '--driver-opt', 'k=v,K2=V2', 'n1', 'c1'],
    client,
  );
  assert.deepEqual(sent, [
    ['n1', { Container: 'c1', EndpointConfig: { IPAMConfig: {}, Links: null, Aliases: [], MacAddress: '', DriverOpts: {} } }],
    [
      'n1',
      {
        Container: 'c1',
        EndpointConfig: {
          IPAMConfig: { IPv4Address: '10.0.0.2', IPv6Address: 'fe80::1', LinkLocalIPs: ['169.254.0.1', '169.254.0.2'] },
          Links: ['x:y'],
          Aliases: ['a', 'b', 'c'],
          MacAddress: '',
          DriverOpts: { k: 'v', K2: 'V2' },
        },
      },
    ],
  ]);
  await assert.rejects(runCommand(networkConnectCommand, ['--driver-opt', 'K', 'n', 'c'], client), /^Error: invalid key\/value pair format in driver options$/);
});

test('network rm: each failure printed, the others removed, status 1', async () => {
  const removed: string[] = [];
  const client = {
    networkInspect: async (name: string) => ({ Name: name, Ingress: false }),
    networkRemove: async (name: string) => {
      if (name === 'nope') throw new DaemonError(404, 'network nope not found');
      if (name === 'host') throw new DaemonError(403, 'host is a pre-defined network and cannot be removed');
      removed.push(name);
    },
  };
  assert.deepEqual(await runCommand(networkRemoveCommand, ['n1', 'nope', 'host', 'n2'], client), {
    out: 'n1\nn2\n',
    err: 'Error response from daemon: network nope not found\nError response from daemon: host is a pre-defined network and cannot be removed\nexit status 1\n',
    status: 1,
  });
  assert.deepEqual(await runCommand(networkRemoveCommand, ['-f', 'nope', 'n3'], client), { out: 'n3\n', err: '', status: 0 });
  assert.deepEqual(removed, ['n1', 'n2', 'n3']);
});

test('network prune: the prompt, the list of deleted networks', async () => {
  const prompt = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
  let calls = 0;
  const client = { networkPrune: async () => (calls++, { NetworksDeleted: ['pb', 'pa'] }) };
  assert.deepEqual(await runCommand(networkPruneCommand, [], client, 'n\n'), { out: prompt, err: '', status: 0 });
  assert.equal(calls, 0);
  assert.deepEqual(await runCommand(networkPruneCommand, [], client, 'y\n'), { out: `${prompt}Deleted Networks:\npb\npa\n\n`, err: '', status: 0 });
  assert.deepEqual(await runCommand(networkPruneCommand, ['-f'], { networkPrune: async () => ({ NetworksDeleted: null }) }), { out: '', err: '', status: 0 });
});

// `docker port` and the PORTS column, from two containers on dockerd 20.10:
//   p1: -p 127.0.0.1:41080:80 -p 127.0.0.1:41000-41002:8000-8002 -p 127.0.0.1:41053:53/udp
//       -p 127.0.0.1::7000 --expose 9000-9001 --expose 9005
//   p2: -p 127.0.0.1:41100-41102:41100-41102 -p 127.0.0.1:41104:41104 -p 127.0.0.1:41200:41200/udp
//       --expose 5000-5002 --expose 5004 --expose 5003/udp
const P1_PORTS: PortMap = {
  '53/udp': [{ HostIp: '127.0.0.1', HostPort: '41053' }],
  '7000/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }],
  '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '41080' }],
  '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '41000' }],
  '8001/tcp': [{ HostIp: '127.0.0.1', HostPort: '41001' }],
  '8002/tcp': [{ HostIp: '127.0.0.1', HostPort: '41002' }],
  '9000/tcp': null,
  '9001/tcp': null,
  '9005/tcp': null,
};

test('port: every mapping, or one private port', async () => {
  assert.deepEqual(portLines(P1_PORTS, 'p1'), [
    '53/udp -> 127.0.0.1:41053',
    '80/tcp -> 127.0.0.1:41080',
    '7000/tcp -> 127.0.0.1:32768',
    '8000/tcp -> 127.0.0.1:41000',
    '8001/tcp -> 127.0.0.1:41001',
    '8002/tcp -> 127.0.0.1:41002',
  ]);
  assert.deepEqual(portLines(P1_PORTS, 'p1', '80'), ['127.0.0.1:41080']);
  assert.deepEqual(portLines(P1_PORTS, 'p1', '53/udp'), ['127.0.0.1:41053']);
  assert.deepEqual(portLines({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }] }, 'c', '80/tcp'), ['0.0.0.0:8080', '[::]:8080']);
  const errors: [string, string][] = [
    ['81', "Error: No public port '81' published for p1"],
    ['81/tcp', "Error: No public port '81/tcp' published for p1"],
    ['9000', "Error: No public port '9000' published for p1"],
    ['x', 'Error: invalid port (x): strconv.ParseUint: parsing "x": invalid syntax'],
    ['99999', 'Error: invalid port (99999): strconv.ParseUint: parsing "99999": value out of range'],
  ];
  for (const [port, message] of errors) assert.throws(() => portLines(P1_PORTS, 'p1', port), (err: Error) => (assert.equal(err.message, message), true));
  const client = { containerInspect: async () => ({ NetworkSettings: { Ports: P1_PORTS } }) };
  assert.deepEqual(await runCommand(portCommand, ['p1', '8001'], client), { out: '127.0.0.1:41001\n', err: '', status: 0 });
  assert.deepEqual(await runCommand(portCommand, ['p1'], { containerInspect: async () => ({ NetworkSettings: { Ports: {} } }) }), { out: '', err: '', status: 0 });
});

const P1_SUMMARY: PortSummary[] = [
  { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 41080, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 8000, PublicPort: 41000, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 8001, PublicPort: 41001, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 8002, PublicPort: 41002, Type: 'tcp' },
  { PrivatePort: 9000, Type: 'tcp' },
  { PrivatePort: 9001, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 41053, Type: 'udp' },
  { IP: '127.0.0.1', PrivatePort: 7000, PublicPort: 32768, Type: 'tcp' },
  { PrivatePort: 9005, Type: 'tcp' },
];

const P2_SUMMARY: PortSummary[] = [
  { PrivatePort: 5004, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 41100, PublicPort: 41100, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 41104, PublicPort: 41104, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 41200, PublicPort: 41200, Type: 'udp' },
  { PrivatePort: 5000, Type: 'tcp' },
  { PrivatePort: 5001, Type: 'tcp' },
  { PrivatePort: 5002, Type: 'tcp' },
  { PrivatePort: 5003, Type: 'udp' },
  { IP: '127.0.0.1', PrivatePort: 41101, PublicPort: 41101, Type: 'tcp' },
  { IP: '127.0.0.1', PrivatePort: 41102, PublicPort: 41102, Type: 'tcp' },
];

test('the PORTS column (formatter.DisplayablePorts)', () => {
  assert.equal(
    displayablePorts(P1_SUMMARY),
    '9000-9001/tcp, 9005/tcp, 127.0.0.1:41053->53/udp, 127.0.0.1:41080->80/tcp, 127.0.0.1:32768->7000/tcp, 127.0.0.1:41000->8000/tcp, 127.0.0.1:41001->8001/tcp, 127.0.0.1:41002->8002/tcp',
  );
  // a group that breaks keeps its place: 5004/tcp comes before 5003/udp
  assert.equal(
    displayablePorts(P2_SUMMARY),
    '5000-5002/tcp, 127.0.0.1:41100-41102->41100-41102/tcp, 5004/tcp, 5003/udp, 127.0.0.1:41104->41104/tcp, 127.0.0.1:41200->41200/udp',
  );
  // -P on dockerd 20.10 (IPv4 and IPv6 bindings)
  assert.equal(
    displayablePorts([
      { IP: '0.0.0.0', PrivatePort: 41400, PublicPort: 32769, Type: 'tcp' },
      { IP: '::', PrivatePort: 41400, PublicPort: 32768, Type: 'tcp' },
    ]),
    '0.0.0.0:32769->41400/tcp, [::]:32768->41400/tcp',
  );
  assert.equal(
    displayablePorts([
      { IP: '0.0.0.0', PrivatePort: 8000, PublicPort: 8000, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 8001, PublicPort: 8001, Type: 'tcp' },
      { IP: '::', PrivatePort: 8000, PublicPort: 8000, Type: 'tcp' },
      { IP: '::', PrivatePort: 8001, PublicPort: 8001, Type: 'tcp' },
      { PrivatePort: 80, Type: 'tcp' },
    ]),
    '80/tcp, 0.0.0.0:8000-8001->8000-8001/tcp, [::]:8000-8001->8000-8001/tcp',
  );
  assert.equal(displayablePorts([]), '');
});

test('help of a command with no flags has no Options section', () => {
  assert.equal(
    commandHelp('berth port', portCommand, ['berth container port', 'berth port'], [{ long: 'help', kind: 'bool', usage: 'Print usage', hidden: true }]),
    'Usage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nList port mappings or a specific mapping for the container\n\nAliases:\n  berth container port, berth port\n',
  );
});
