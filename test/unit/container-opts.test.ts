// The create request of `berth create/run` for the networking flags (-p, --expose, -P,
// --network, --network-alias, --ip, --ip6, --link-local-ip, --link, --mac-address), against
// what the docker CLI sends.
//
// CASES was captured from the real docker CLI (28.2.2, API 1.41 negotiated with a fake
// daemon that logs request bodies): `docker create ARGS busybox`, keeping ExposedPorts,
// HostConfig.{NetworkMode,PortBindings,PublishAllPorts,Links} and NetworkingConfig, or the
// error docker printed (after "docker: "). Two normalizations: endpoint fields that are zero
// and that berth does not send (NetworkID, EndpointID, Gateway, IPAddress, IPPrefixLen,
// IPv6Gateway, GlobalIPv6Address, GlobalIPv6PrefixLen, and API 1.44+'s GwPriority and
// DNSNames) are left out; and docker 28's empty "default" endpoint when --network is absent
// is left out, since docker 20.10 sends none (the daemon reads both the same). --mac-address
// is covered separately: docker 28 refuses it below API 1.44, docker 20.10 sends it as the
// container's top-level MacAddress, as berth does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../../src/cli/flags.js';
import { buildCreateRequest, containerFlags } from '../../src/cli/util/container-opts.js';
import { convertToStandardNotation, parsePortSpec, parsePorts } from '../../src/cli/util/ports.js';
import { isValidMac, parseNetworkOpt, readCsvRecord } from '../../src/cli/util/network-opts.js';

type Expected = Record<string, unknown> | { error: string };

const CASES: [string[], Expected][] = [
  [["-p", "80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8080:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "127.0.0.1:8080:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "127.0.0.1::80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "::80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8000-8002:8000-8002"], {"ExposedPorts":{"8000/tcp":{},"8001/tcp":{},"8002/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"8000/tcp":[{"HostIp":"","HostPort":"8000"}],"8001/tcp":[{"HostIp":"","HostPort":"8001"}],"8002/tcp":[{"HostIp":"","HostPort":"8002"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "127.0.0.1:8000-8002:80-82"], {"ExposedPorts":{"80/tcp":{},"81/tcp":{},"82/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8000"}],"81/tcp":[{"HostIp":"127.0.0.1","HostPort":"8001"}],"82/tcp":[{"HostIp":"127.0.0.1","HostPort":"8002"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8000-8010:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8000-8010"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80-82"], {"ExposedPorts":{"80/tcp":{},"81/tcp":{},"82/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}],"81/tcp":[{"HostIp":"","HostPort":""}],"82/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80/udp"], {"ExposedPorts":{"80/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/udp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "53:53/udp", "-p", "53:53/tcp"], {"ExposedPorts":{"53/tcp":{},"53/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"53/tcp":[{"HostIp":"","HostPort":"53"}],"53/udp":[{"HostIp":"","HostPort":"53"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "[::1]:80:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"::1","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "[::1]::80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"::1","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "::1:80:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"::1","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80:80/sctp"], {"ExposedPorts":{"80/sctp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/sctp":[{"HostIp":"","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80/UDP"], {"ExposedPorts":{"80/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/udp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8080:80", "-p", "8081:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"},{"HostIp":"","HostPort":"8081"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8080:80", "-p", "8080:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"},{"HostIp":"","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "target=80,published=8080"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "target=80,published=8080,protocol=udp"], {"ExposedPorts":{"80/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/udp":[{"HostIp":"","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "x"], { error: "invalid containerPort: x" }],
  [["-p", "80:x"], { error: "invalid containerPort: x" }],
  [["-p", "8000-8002:80-81"], { error: "invalid ranges specified for container and host Ports: 80-81 and 8000-8002" }],
  [["-p", "80/foo"], { error: "invalid proto: foo" }],
  [["-p", "1.2.3:80:80"], { error: "invalid IP address: 1.2.3" }],
  [["-p", "0:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"0"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "65536"], { error: "invalid containerPort: 65536" }],
  [["-p", "82-80"], { error: "invalid containerPort: 82-80" }],
  [["-p", ""], { error: "no port specified: <empty>" }],
  [["-p", ":80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80:"], { error: "no port specified: 80:<empty>" }],
  [["-p", "1.2.3.4:80:80:80"], { error: "invalid IP address: 1.2.3.4:80" }],
  [["--expose", "80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "80-82/udp"], {"ExposedPorts":{"80/udp":{},"81/udp":{},"82/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "80", "-p", "80:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "1:80"], { error: "invalid port format for --expose: 1:80" }],
  [["--expose", "x"], { error: "invalid range format for --expose: x, error: strconv.ParseUint: parsing \"x\": invalid syntax" }],
  [["--expose", "82-80"], { error: "invalid range format for --expose: 82-80, error: invalid range specified for port: 82-80" }],
  [["-P"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":true,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-P", "--expose", "80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":true,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network", "n1"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--net", "n1", "--net-alias", "a"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":["a"],"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "n1", "--network-alias", "a", "--network-alias", "b"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":["a","b"],"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "n1", "--ip", "10.0.0.2", "--ip6", "fe80::2", "--link-local-ip", "169.254.1.1"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":{"IPv4Address":"10.0.0.2","IPv6Address":"fe80::2","LinkLocalIPs":["169.254.1.1"]},"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "bridge", "--ip", "172.17.0.5"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"bridge","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"bridge":{"IPAMConfig":{"IPv4Address":"172.17.0.5"},"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "bridge", "--network-alias", "a"], { error: "network-scoped aliases are only supported for user-defined networks" }],
  [["--network", "bridge", "--link", "c:d"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"bridge","PortBindings":{},"PublishAllPorts":false,"Links":["c:d"]},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network-alias", "a"], { error: "network-scoped aliases are only supported for user-defined networks" }],
  [["--link", "c"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":["c"]},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--link", "c:d", "--link", "/e:/f/g"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":["c:d","/e:/f/g"]},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--link", "a:b:c"], { error: "invalid argument \"a:b:c\" for \"--link\" flag: bad format for links: a:b:c" }],
  [["--network", "host"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"host","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network", "container:abc"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"container:abc","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network", "none"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"none","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network", "default"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--network", "name=n1,alias=x,alias=y"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":["x","y"],"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "name=n1,driver-opt=a=B"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":{"a":"b"}}}}}],
  [["--network", "n1", "--network", "n2"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null},"n2":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "n1", "--network", "host"], { error: "conflicting options: cannot attach both user-defined and non-user-defined network-modes" }],
  [["--network", "n1", "--network", "n1"], { error: "network \"n1\" is specified multiple times" }],
  [["--network", "name=n1,alias=x", "--network-alias", "y"], { error: "conflicting options: cannot specify both --network-alias and per-network alias" }],
  [["--network", "name=n1,foo=bar"], { error: "invalid argument \"name=n1,foo=bar\" for \"--network\" flag: invalid field key foo" }],
  [["--network", "alias=x"], { error: "invalid argument \"alias=x\" for \"--network\" flag: network name/id is not specified" }],
  [["--network", ""], { error: "no name set for network" }],
  [["--mac-address", "xx"], { error: "xx is not a valid mac address" }],
  [["-p", "x:80"], { error: "invalid hostPort: x" }],
  [["-p", "80-x:80"], { error: "invalid hostPort: 80-x" }],
  [["-p", "8000-8002:80-82/udp"], {"ExposedPorts":{"80/udp":{},"81/udp":{},"82/udp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/udp":[{"HostIp":"","HostPort":"8000"}],"81/udp":[{"HostIp":"","HostPort":"8001"}],"82/udp":[{"HostIp":"","HostPort":"8002"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "127.0.0.1:8000:80-82"], { error: "invalid ranges specified for container and host Ports: 80-82 and 8000" }],
  [["-p", "1:2:3:4:80:80"], { error: "invalid IP address: 1:2:3:4" }],
  [["-p", "[::1:80:80"], { error: "invalid IP address [::1: address [::1:: missing ']' in address" }],
  [["-p", "00080:0080"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "8080:80/tcp/x"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80/"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "0.0.0.0:80:80"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"80"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "80/foo"], {"ExposedPorts":{"80/foo":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "80/UDP"], {"ExposedPorts":{"80/UDP":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "0"], {"ExposedPorts":{"0/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["--expose", "-1"], { error: "invalid range format for --expose: -1, error: strconv.ParseUint: parsing \"\": invalid syntax" }],
  [["-p", "published=8080"], { error: "no port specified: 8080:/tcp<empty>" }],
  [["-p", "target=80,published"], { error: "invalid publish opts format (should be name=value but got 'published')" }],
  [["-p", "8000-8001:8000"], {"ExposedPorts":{"8000/tcp":{}},"HostConfig":{"NetworkMode":"default","PortBindings":{"8000/tcp":[{"HostIp":"","HostPort":"8000-8001"}]},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{}}}],
  [["-p", "80", "--expose", "80", "-P", "--network", "n1", "--network-alias", "a", "--link", "b:c", "--ip", "10.1.1.1"], {"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"n1","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":""}]},"PublishAllPorts":true,"Links":["b:c"]},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":{"IPv4Address":"10.1.1.1"},"Links":["b:c"],"Aliases":["a"],"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "name=n1,alias=x", "--link", "a:b", "--ip", "10.0.0.1"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":["a:b"]},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":{"IPv4Address":"10.0.0.1"},"Links":["a:b"],"Aliases":["x"],"MacAddress":"","DriverOpts":null}}}}],
  [["--network", "name=n1", "--network", "name=n2,alias=z", "--network-alias", "y"], {"ExposedPorts":null,"HostConfig":{"NetworkMode":"n1","PortBindings":{},"PublishAllPorts":false,"Links":null},"NetworkingConfig":{"EndpointsConfig":{"n1":{"IPAMConfig":null,"Links":null,"Aliases":["y"],"MacAddress":"","DriverOpts":null},"n2":{"IPAMConfig":null,"Links":null,"Aliases":["z"],"MacAddress":"","DriverOpts":null}}}}],
];

function createRequest(args: string[]) {
  const { flags, args: rest } = parseFlags(containerFlags, [...args, 'busybox'], false);
  assert.deepEqual(rest, ['busybox']);
  return buildCreateRequest(flags, rest[0], []).request;
}

/** The part of the request the table compares. */
function networking(req: ReturnType<typeof createRequest>): Record<string, unknown> {
  const host = req.HostConfig ?? {};
  return {
    ExposedPorts: req.ExposedPorts ?? null,
    HostConfig: { NetworkMode: host.NetworkMode, PortBindings: host.PortBindings, PublishAllPorts: host.PublishAllPorts, Links: host.Links },
    NetworkingConfig: req.NetworkingConfig,
  };
}

for (const [args, expected] of CASES) {
  test(`create ${args.join(' ')}`, () => {
    if ('error' in expected) {
      assert.throws(() => createRequest(args), (err: Error) => {
        assert.equal(err.message, expected.error);
        return true;
      });
    } else {
      const req = createRequest(args);
      assert.deepEqual(networking(req), expected);
      assert.equal(req.MacAddress, undefined);
    }
  });
}

test('--mac-address goes in the container config (API 1.41), not in an endpoint', () => {
  const req = createRequest(['--mac-address', '02:42:ac:11:00:02']);
  assert.equal(req.MacAddress, '02:42:ac:11:00:02');
  assert.deepEqual(req.NetworkingConfig, { EndpointsConfig: {} });
  const onNetwork = createRequest(['--network', 'n1', '--mac-address', '02:42:ac:11:00:02', '--network-alias', 'a']);
  assert.equal(onNetwork.MacAddress, '02:42:ac:11:00:02');
  assert.deepEqual(onNetwork.NetworkingConfig, {
    EndpointsConfig: { n1: { IPAMConfig: null, Links: null, Aliases: ['a'], MacAddress: '', DriverOpts: null } },
  });
});

test('MAC addresses as net.ParseMAC reads them', () => {
  for (const mac of ['02:42:ac:11:00:02', '02-42-AC-11-00-02', '0242.ac11.0002', '00:00:00:00:fe:80:00:00', '00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01'])
    assert.equal(isValidMac(mac), true, mac);
  for (const mac of ['', 'xx', '02:42:ac:11:00', '02:42:ac:11:00:0g', '2:42:ac:11:00:02', '02:42-ac:11:00:02'])
    assert.equal(isValidMac(mac), false, mac);
});

test('--net and --net-alias add to --network and --network-alias in order', () => {
  const req = createRequest(['--net', 'a', '--network', 'b', '--net-alias', 'x', '--network-alias', 'y']);
  assert.equal(req.HostConfig?.NetworkMode, 'a');
  assert.deepEqual(Object.keys(req.NetworkingConfig?.EndpointsConfig ?? {}), ['a', 'b']);
  assert.deepEqual(req.NetworkingConfig?.EndpointsConfig?.a.Aliases, ['x', 'y']);
});

test('the long --network syntax', () => {
  assert.deepEqual(parseNetworkOpt('n1'), { target: 'n1', aliases: [], links: [], ipv4: '', ipv6: '', linkLocalIPs: [] });
  // no key=value pair: the whole value is the name
  assert.equal(parseNetworkOpt('container:abc').target, 'container:abc');
  assert.deepEqual(parseNetworkOpt('name=N1,alias=A,"driver-opt=k=v",ip=10.0.0.2'), {
    target: 'n1', aliases: ['a'], driverOpts: { k: 'v' }, links: [], ipv4: '10.0.0.2', ipv6: '', linkLocalIPs: [],
  });
  assert.throws(() => parseNetworkOpt('name=n,x'), /^Error: invalid field x$/);
  assert.throws(() => parseNetworkOpt('name=n,driver-opt=x'), /^Error: invalid key value pair format in driver options$/);
});

test('CSV records as encoding/csv reads one line', () => {
  assert.deepEqual(readCsvRecord('a,b'), ['a', 'b']);
  assert.deepEqual(readCsvRecord('"a,b",c'), ['a,b', 'c']);
  assert.deepEqual(readCsvRecord('"say ""hi""",'), ['say "hi"', '']);
  assert.deepEqual(readCsvRecord('a'), ['a']);
  assert.throws(() => readCsvRecord('a"b'), /bare " in non-quoted-field/);
  assert.throws(() => readCsvRecord('"a"b'), /extraneous or missing " in quoted-field/);
});

test('port specs expand ranges one binding per port', () => {
  assert.deepEqual(parsePortSpec('127.0.0.1:8000-8002:80-82/UDP'), [
    { port: '80/udp', binding: { HostIp: '127.0.0.1', HostPort: '8000' } },
    { port: '81/udp', binding: { HostIp: '127.0.0.1', HostPort: '8001' } },
    { port: '82/udp', binding: { HostIp: '127.0.0.1', HostPort: '8002' } },
  ]);
  // a host range for one container port is where the daemon picks a free port
  assert.deepEqual(parsePortSpec('[::1]:8000-8010:80'), [{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8000-8010' } }]);
  assert.deepEqual(convertToStandardNotation(['target=80,published=8080,protocol=udp', '90']), ['8080:80/udp', '90']);
  const { exposed, bindings } = parsePorts(['8080:80'], ['80', '90-91/udp']);
  assert.deepEqual(Object.keys(exposed), ['80/tcp', '90/udp', '91/udp']);
  assert.deepEqual(bindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
});
