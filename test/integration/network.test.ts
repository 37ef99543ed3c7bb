// Networking through the real docker CLI against a berthd of this file's own: the
// default bridge, published ports, links, user-defined networks with DNS, isolation,
// the other network modes, errors, live restore and teardown. Traffic goes only to
// loopback and to addresses inside the namespaces this daemon made.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runCommand, startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';

const require = createRequire(import.meta.url);
let daemon: TestDaemon;

before(async () => {
  daemon = await startDaemonWithBusybox();
});

after(async () => {
  await daemon?.stop();
});

const docker = (...args: string[]) => daemon.docker(args);

const ok = (...args: string[]) => daemon.dockerOk(args);

/** A container serving `hello from <name>` over HTTP on port 80 (busybox httpd). */
function runWebServer(name: string, ...flags: string[]): string {
  return ok('run', '-d', '--name', name, ...flags, 'busybox', 'sh', '-c', `mkdir -p /www && echo "hello from ${name}" > /www/index.html && exec httpd -f -p 80 -h /www`);
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout reaching ${host}:${port}`)));
    req.on('error', reject);
  });
}

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Fetches over HTTP from inside a container with nc (busybox wget needs NSS libraries). */
function fetchFrom(container: string, host: string, port = 80, path = '/'): string {
  return ok('exec', container, 'sh', '-c', `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} | tail -n 1`);
}

const inspect = (ref: string, format: string) => ok('inspect', '-f', format, ref);

function vethsOn(bridge: string): string[] {
  const r = runCommand('ip', ['-o', 'link', 'show', 'master', bridge], {}, {});
  return r.stdout.split('\n').filter(Boolean);
}

function portMapElements(bridge: string): string {
  return runCommand('nft', ['list', 'table', 'ip', `berth-${bridge}`], {}, {}).stdout;
}

describe('the default bridge', () => {
  test('a container gets an address, gateway and MAC that inspect shows', () => {
    runWebServer('web1');
    const ip = inspect('web1', '{{ .NetworkSettings.IPAddress }}');
    assert.match(ip, new RegExp(`^${daemon.subnetPrefix.replace('.', '\\.')}\\.0\\.\\d+$`));
    assert.equal(inspect('web1', '{{ .NetworkSettings.Gateway }}'), `${daemon.subnetPrefix}.0.1`);
    assert.equal(inspect('web1', '{{ .NetworkSettings.Networks.bridge.IPAddress }}'), ip);
    assert.match(inspect('web1', '{{ .NetworkSettings.MacAddress }}'), /^02:42:0a:/);
    // Inside: eth0 with that address, a default route through the gateway, loopback up.
    assert.match(ok('exec', 'web1', 'ip', 'addr', 'show', 'eth0'), new RegExp(`inet ${ip.replaceAll('.', '\\.')}/24`));
    assert.match(ok('exec', 'web1', 'ip', 'route'), new RegExp(`default via ${daemon.subnetPrefix}\\.0\\.1`));
    assert.match(ok('exec', 'web1', 'cat', '/etc/hosts'), new RegExp(`${ip.replaceAll('.', '\\.')}\\t[0-9a-f]{12}$`));
  });

  test('containers and the host reach each other over the bridge', async () => {
    runWebServer('web2');
    const ip1 = inspect('web1', '{{ .NetworkSettings.IPAddress }}');
    assert.equal(fetchFrom('web2', ip1), 'hello from web1');
    ok('exec', 'web2', 'ping', '-c', '1', '-W', '2', ip1);
    assert.equal(await eventually(() => httpGet(ip1, 80)), 'hello from web1\n');
  });

  test('the bridge network lists its running containers', () => {
    const containers = JSON.parse(inspect('bridge', '{{ json .Containers }}')) as Record<string, { Name: string; IPv4Address: string }>;
    const names = Object.values(containers).map((c) => c.Name);
    assert.ok(names.includes('web1') && names.includes('web2'), names.join(','));
  });
});

describe('published ports', () => {
  test('-p reaches the container from the host over loopback, the bridge address and other containers', async () => {
    const port = await freePort();
    runWebServer('pub1', '-p', `${port}:80`);
    assert.equal(await eventually(() => httpGet('127.0.0.1', port)), 'hello from pub1\n');
    assert.equal(await httpGet(`${daemon.subnetPrefix}.0.1`, port), 'hello from pub1\n');
    // Another container, through the host's address on the bridge, and pub1 reaching itself.
    assert.equal(fetchFrom('web1', `${daemon.subnetPrefix}.0.1`, port), 'hello from pub1');
    assert.equal(fetchFrom('pub1', `${daemon.subnetPrefix}.0.1`, port), 'hello from pub1');
    assert.equal(ok('port', 'pub1'), `80/tcp -> 0.0.0.0:${port}`);
    assert.match(ok('ps', '--filter', 'name=pub1', '--format', '{{.Ports}}'), new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp`));
  });

  test('a port published on 127.0.0.1 answers there only', async () => {
    const port = await freePort();
    runWebServer('pub2', '-p', `127.0.0.1:${port}:80`);
    assert.equal(await eventually(() => httpGet('127.0.0.1', port)), 'hello from pub2\n');
    await assert.rejects(httpGet(`${daemon.subnetPrefix}.0.1`, port));
    assert.equal(inspect('pub2', '{{ json .NetworkSettings.Ports }}'), `{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"${port}"}]}`);
  });

  test('-P publishes every exposed port on a free host port', async () => {
    runWebServer('pub3', '--expose', '80', '--expose', '81', '-P');
    const hostPort = Number(inspect('pub3', '{{ (index (index .NetworkSettings.Ports "80/tcp") 0).HostPort }}'));
    assert.ok(hostPort > 0);
    assert.equal(await eventually(() => httpGet('127.0.0.1', hostPort)), 'hello from pub3\n');
    assert.match(ok('port', 'pub3', '81'), /^0\.0\.0\.0:\d+$/);
  });

  test('udp ports and ranges', async () => {
    const base = await freePort();
    ok('run', '-d', '--name', 'udp1', '-p', `${base}-${base + 1}:7000-7001/udp`, 'busybox', 'sleep', '600');
    assert.equal(ok('port', 'udp1', '7001/udp'), `0.0.0.0:${base + 1}`);
    // busybox has no UDP server: the datagram counts as "no port" in the container's own stack.
    const noPorts = () => Number(ok('exec', 'udp1', 'grep', 'Udp:', '/proc/net/snmp').split('\n')[1].split(/\s+/)[2]);
    const before = noPorts();
    await sendUdp('127.0.0.1', base + 1, 'ping-over-udp\n');
    await eventually(async () => assert.equal(noPorts(), before + 1));
  });

  test('a host port already in use is refused and leaves nothing behind', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const before = vethsOn(daemon.bridge).length;
      const r = docker('run', '-d', '--name', 'busy', '-p', `${port}:80`, 'busybox', 'sleep', '60');
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`driver failed programming external connectivity on endpoint busy .*0\\.0\\.0\\.0:${port}.*address already in use`));
      await eventually(async () => assert.equal(vethsOn(daemon.bridge).length, before));
      assert.equal(inspect('busy', '{{ .NetworkSettings.IPAddress }}'), '');
      // berth's own ports: the second container is refused as dockerd refuses it.
      const taken = await freePort();
      runWebServer('owner', '-p', `${taken}:80`);
      const second = docker('run', '-d', '--name', 'second', '-p', `${taken}:80`, 'busybox', 'sleep', '60');
      assert.match(second.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${taken} failed: port is already allocated`));
    } finally {
      server.close();
      docker('rm', '-f', 'busy', 'second');
    }
  });

  test('stopping the container releases its ports', async () => {
    const port = await freePort();
    runWebServer('pub4', '-p', `${port}:80`);
    assert.match(portMapElements(daemon.bridge), new RegExp(`${port} : `));
    ok('stop', '-t', '0', 'pub4');
    assert.doesNotMatch(portMapElements(daemon.bridge), new RegExp(`${port} : `));
    assert.equal(inspect('pub4', '{{ json .NetworkSettings.Ports }}'), '{}');
    // The port is free again: something else can take it.
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
    server.close();
  });
});

describe('links', () => {
  test('--link puts the alias in /etc/hosts and the link variables in the environment', () => {
    ok('run', '-d', '--name', 'db', '--expose', '6379', '-e', 'SECRET=s3', 'busybox', 'sleep', '600');
    const dbIp = inspect('db', '{{ .NetworkSettings.IPAddress }}');
    ok('run', '-d', '--name', 'app', '--link', 'db:cache', 'busybox', 'sleep', '600');
    const hosts = ok('exec', 'app', 'cat', '/etc/hosts');
    assert.match(hosts, new RegExp(`${dbIp.replaceAll('.', '\\.')}\\tcache [0-9a-f]{12} db\\n`));
    const env = ok('exec', 'app', 'env').split('\n');
    for (const expected of [
      `CACHE_PORT=tcp://${dbIp}:6379`,
      `CACHE_PORT_6379_TCP=tcp://${dbIp}:6379`,
      `CACHE_PORT_6379_TCP_ADDR=${dbIp}`,
      'CACHE_PORT_6379_TCP_PORT=6379',
      'CACHE_PORT_6379_TCP_PROTO=tcp',
      'CACHE_NAME=/app/cache',
      'CACHE_ENV_SECRET=s3',
    ]) {
      assert.ok(env.includes(expected), `${expected} missing from ${env.join(' ')}`);
    }
    assert.equal(inspect('app', '{{ json .HostConfig.Links }}'), '["/db:/app/cache"]');
    ok('exec', 'app', 'ping', '-c', '1', '-W', '2', 'cache');
  });

  test('the alias follows the linked container when it restarts with a new address', () => {
    ok('stop', '-t', '0', 'db');
    ok('run', '-d', '--name', 'squatter', 'busybox', 'sleep', '600');
    ok('start', 'db');
    const dbIp = inspect('db', '{{ .NetworkSettings.IPAddress }}');
    assert.notEqual(dbIp, inspect('squatter', '{{ .NetworkSettings.IPAddress }}'));
    assert.match(ok('exec', 'app', 'cat', '/etc/hosts'), new RegExp(`${dbIp.replaceAll('.', '\\.')}\\tcache `));
  });

  test('a link to a missing container is refused', () => {
    const r = docker('run', '--rm', '--link', 'nosuch:x', 'busybox', 'true');
    assert.equal(r.code, 125);
    assert.match(r.stderr, /could not get container for nosuch/);
  });
});

describe('user-defined networks', () => {
  test('create, inspect and list with docker network', () => {
    const id = ok('network', 'create', '--subnet', `${daemon.subnetPrefix}.200.0/24`, '--gateway', `${daemon.subnetPrefix}.200.254`, '--label', 'team=a', 'front');
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(inspect('front', '{{ (index .IPAM.Config 0).Subnet }} {{ (index .IPAM.Config 0).Gateway }} {{ .Driver }} {{ .Labels.team }}'), `${daemon.subnetPrefix}.200.0/24 ${daemon.subnetPrefix}.200.254 bridge a`);
    const names = ok('network', 'ls', '--format', '{{.Name}}').split('\n');
    for (const n of ['bridge', 'host', 'none', 'front']) assert.ok(names.includes(n), names.join(','));
    // --ip-range: addresses come from the range, the gateway stays the subnet's first.
    ok('network', 'create', '--subnet', `${daemon.subnetPrefix}.201.0/24`, '--ip-range', `${daemon.subnetPrefix}.201.128/25`, 'ranged');
    assert.equal(ok('run', '--rm', '--network', 'ranged', 'busybox', 'sh', '-c', "ip -o -4 addr show eth0 | awk '{print $4}'"), `${daemon.subnetPrefix}.201.128/24`);
    ok('network', 'rm', 'ranged');
    ok('network', 'create', 'back');
    assert.match(inspect('back', '{{ (index .IPAM.Config 0).Subnet }}'), new RegExp(`^${daemon.subnetPrefix.replace('.', '\\.')}\\.\\d+\\.0/24$`));
  });

  test('containers reach each other by name, alias and short id; a shared alias resolves to all (round robin)', () => {
    ok('run', '-d', '--name', 'f1', '--network', 'front', '--network-alias', 'svc', 'busybox', 'sleep', '600');
    ok('run', '-d', '--name', 'f2', '--network', 'front', '--network-alias', 'svc', '--ip', `${daemon.subnetPrefix}.200.50`, 'busybox', 'sleep', '600');
    const f1 = inspect('f1', '{{ .NetworkSettings.Networks.front.IPAddress }}');
    assert.equal(inspect('f2', '{{ .NetworkSettings.Networks.front.IPAddress }}'), `${daemon.subnetPrefix}.200.50`);
    assert.match(ok('exec', 'f2', 'cat', '/etc/resolv.conf'), /nameserver 127\.0\.0\.11/);
    assert.match(ok('exec', 'f2', 'nslookup', 'f1'), new RegExp(`Address: ${f1.replaceAll('.', '\\.')}`));
    const shortId = ok('inspect', '-f', '{{ .Id }}', 'f1').slice(0, 12);
    assert.match(ok('exec', 'f2', 'nslookup', shortId), new RegExp(`Address: ${f1.replaceAll('.', '\\.')}`));
    ok('exec', 'f2', 'ping', '-c', '1', '-W', '2', 'f1');
    // A link on a user-defined network is a name only the linking container resolves.
    assert.match(ok('run', '--rm', '--network', 'front', '--link', 'f1:buddy', 'busybox', 'nslookup', 'buddy'), new RegExp(`Address: ${f1.replaceAll('.', '\\.')}`));
    assert.notEqual(docker('exec', 'f2', 'nslookup', 'buddy').code, 0);
    // Reverse lookups answer name.network, as dockerd's resolver does.
    assert.match(ok('exec', 'f2', 'nslookup', f1), /name = f1\.front/);
    const answers = ok('exec', 'f1', 'nslookup', 'svc');
    assert.match(answers, new RegExp(f1.replaceAll('.', '\\.')));
    assert.match(answers, new RegExp(`${daemon.subnetPrefix.replace('.', '\\.')}\\.200\\.50`));
    // Round robin: the first answer changes between queries.
    const firsts = new Set<string>();
    for (let i = 0; i < 4; i++) firsts.add(/Address: (\S+)/.exec(ok('exec', 'f1', 'nslookup', '-type=a', 'svc').split('Name:')[1] ?? '')?.[1] ?? '');
    assert.equal(firsts.size, 2, [...firsts].join(','));
  });

  test('other names go to the upstream resolvers, from the host', async () => {
    // A resolver of the test's own on the host's loopback: the container's --dns.
    const upstream = await fakeResolver('127.0.0.9', { 'outside.test': '10.9.8.7' });
    try {
      ok('run', '-d', '--name', 'f3', '--network', 'front', '--dns', '127.0.0.9', 'busybox', 'sleep', '600');
      assert.match(ok('exec', 'f3', 'nslookup', 'outside.test'), /Address: 10\.9\.8\.7/);
      assert.match(ok('exec', 'f3', 'nslookup', 'f1'), /Address: /);
      await eventually(async () => assert.ok(upstream.queries.includes('outside.test')));
      assert.ok(!upstream.queries.includes('f1'), 'container names are answered by berth');
    } finally {
      upstream.close();
      docker('rm', '-f', 'f3');
    }
  });

  test('networks are isolated from each other unless a container joins both', async () => {
    const crossPort = await freePort();
    ok('run', '-d', '--name', 'b1', '--network', 'back', 'busybox', 'sleep', '600');
    const b1 = inspect('b1', '{{ .NetworkSettings.Networks.back.IPAddress }}');
    assert.notEqual(docker('exec', 'f1', 'ping', '-c', '1', '-W', '1', b1).code, 0);
    assert.notEqual(docker('exec', 'f1', 'nslookup', 'b1').code, 0);
    // The default bridge is another network too.
    const web1 = inspect('web1', '{{ .NetworkSettings.IPAddress }}');
    assert.notEqual(docker('exec', 'f1', 'ping', '-c', '1', '-W', '1', web1).code, 0);
    // A published port is the way across: through the host, it reaches any network.
    runWebServer('crossweb', '-p', `${crossPort}:80`);
    assert.equal(fetchFrom('f1', `${daemon.subnetPrefix}.200.254`, crossPort), 'hello from crossweb');
    ok('network', 'connect', '--alias', 'bridgehead', 'back', 'f1');
    assert.match(inspect('f1', '{{ .NetworkSettings.Networks.back.IPAddress }}'), /^\d+\.\d+\.\d+\.\d+$/);
    ok('exec', 'f1', 'ping', '-c', '1', '-W', '2', 'b1');
    ok('exec', 'b1', 'ping', '-c', '1', '-W', '2', 'bridgehead');
    ok('network', 'disconnect', 'back', 'f1');
    assert.notEqual(docker('exec', 'f1', 'ping', '-c', '1', '-W', '1', b1).code, 0);
  });

  test('an internal network has no way out', () => {
    ok('network', 'create', '--internal', 'sealed');
    ok('run', '-d', '--name', 's1', '--network', 'sealed', 'busybox', 'sleep', '600');
    ok('run', '-d', '--name', 's2', '--network', 'sealed', 'busybox', 'sleep', '600');
    assert.doesNotMatch(ok('exec', 's1', 'ip', 'route'), /default/);
    ok('exec', 's1', 'ping', '-c', '1', '-W', '2', 's2');
    const gateway = inspect('sealed', '{{ (index .IPAM.Config 0).Gateway }}');
    assert.notEqual(docker('exec', 's1', 'ping', '-c', '1', '-W', '1', inspect('web1', '{{ .NetworkSettings.IPAddress }}')).code, 0);
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
    ok('rm', '-f', 's1', 's2');
    ok('network', 'rm', 'sealed');
  });

  test('bad input gets dockerd\'s errors and creates nothing', () => {
    const networksBefore = ok('network', 'ls', '-q');
    let r = docker('network', 'create', 'front');
    assert.match(r.stderr, /network with name front already exists/);
    r = docker('network', 'create', '--subnet', `${daemon.subnetPrefix}.200.128/25`, 'overlap');
    assert.match(r.stderr, /Pool overlaps with other one on this address space/);
    r = docker('network', 'create', '--subnet', 'nonsense', 'bad');
    assert.match(r.stderr, /invalid CIDR address: nonsense/);
    r = docker('run', '--rm', '--network', 'nosuchnet', 'busybox', 'true');
    assert.equal(r.code, 125);
    assert.match(r.stderr, /network nosuchnet not found/);
    r = docker('network', 'rm', 'bridge');
    assert.match(r.stderr, /bridge is a pre-defined network and cannot be removed/);
    r = docker('network', 'rm', 'front');
    assert.match(r.stderr, /has active endpoints/);
    assert.equal(ok('network', 'ls', '-q'), networksBefore);
  });

  test('removing a network removes its bridge and rules', () => {
    ok('network', 'create', 'temp');
    const bridge = `br-${ok('network', 'inspect', '-f', '{{ .Id }}', 'temp').slice(0, 12)}`;
    assert.ok(existsSync(`/sys/class/net/${bridge}`));
    ok('network', 'rm', 'temp');
    assert.ok(!existsSync(`/sys/class/net/${bridge}`));
    assert.notEqual(runCommand('nft', ['list', 'table', 'ip', `berth-${bridge}`], {}, {}).code, 0);
  });
});

describe('the berth CLI', () => {
  const berth = (...args: string[]) => daemon.berth(args);
  const berthOk = (...args: string[]) => daemon.berthOk(args);

  test('network create, ls, inspect, connect, disconnect, rm, prune', () => {
    berthOk('network', 'create', '--subnet', `${daemon.subnetPrefix}.210.0/24`, '--label', 'cli=yes', 'clinet');
    assert.match(berthOk('network', 'ls', '--filter', 'label=cli=yes'), /^NETWORK ID +NAME +DRIVER +SCOPE\n[0-9a-f]{12} +clinet +bridge +local$/);
    berthOk('run', '-d', '--name', 'cli1', '--network', 'clinet', '--ip', `${daemon.subnetPrefix}.210.9`, '--mac-address', '02:42:00:00:00:09', 'busybox', 'sleep', '600');
    assert.equal(berthOk('inspect', '-f', '{{ .NetworkSettings.Networks.clinet.IPAddress }} {{ .NetworkSettings.Networks.clinet.MacAddress }}', 'cli1'), `${daemon.subnetPrefix}.210.9 02:42:00:00:00:09`);
    assert.match(berthOk('network', 'inspect', '-f', '{{ range .Containers }}{{ .Name }} {{ .IPv4Address }}{{ end }}', 'clinet'), new RegExp(`^cli1 ${daemon.subnetPrefix.replace('.', '\\.')}\\.210\\.9/24$`));
    berthOk('network', 'connect', 'bridge', 'cli1');
    assert.match(berthOk('exec', 'cli1', 'ip', '-o', 'addr'), /eth1/);
    berthOk('network', 'disconnect', 'bridge', 'cli1');
    assert.doesNotMatch(berthOk('exec', 'cli1', 'ip', '-o', 'addr'), /eth1/);
    const rm = berth('network', 'rm', 'clinet');
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /has active endpoints/);
    berthOk('rm', '-f', 'cli1');
    berthOk('network', 'create', 'unused');
    assert.match(berthOk('network', 'prune', '-f'), /Deleted Networks:\n(clinet\nunused|unused\nclinet)/);
  });

  test('run -p, port and ps', async () => {
    const port = await freePort();
    runWebServer('cliweb', '-p', `127.0.0.1:${port}:80`, '--expose', '443');
    assert.equal(berthOk('port', 'cliweb'), `80/tcp -> 127.0.0.1:${port}`);
    const ports = berthOk('ps', '--filter', 'name=cliweb', '--format', '{{.Ports}}');
    assert.equal(ports, ok('ps', '--filter', 'name=cliweb', '--format', '{{.Ports}}'));
    assert.match(ports, new RegExp(`127\\.0\\.0\\.1:${port}->80/tcp`));
    assert.equal(await eventually(() => httpGet('127.0.0.1', port)), 'hello from cliweb\n');
    const missing = berth('port', 'cliweb', '81');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No public port '81' published for cliweb/);
    berthOk('rm', '-f', 'cliweb');
  });
});

describe('from another host', () => {
  test('a published port is reached from a host on another link', async () => {
    // The other host: a namespace of the test's own, linked to this one by a veth.
    const name = `berthremote${process.pid}`;
    const hostSide = `rh${process.pid}`;
    const [hostIp, remoteIp] = [`${daemon.subnetPrefix}.250.1`, `${daemon.subnetPrefix}.250.2`];
    const ip = (...args: string[]) => assert.equal(runCommand('ip', args, {}, {}).code, 0, `ip ${args.join(' ')}`);
    let remoteServer: ChildProcess | undefined;
    try {
      ip('netns', 'add', name);
      ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
      ip('addr', 'add', `${hostIp}/30`, 'dev', hostSide);
      ip('link', 'set', hostSide, 'up');
      ip('-n', name, 'addr', 'add', `${remoteIp}/30`, 'dev', 'eth0');
      ip('-n', name, 'link', 'set', 'eth0', 'up');
      const port = await freePort();
      runWebServer('remote-target', '-p', `${port}:80`);
      const fetch = () => runCommand('ip', ['netns', 'exec', name, 'busybox', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 ${hostIp} ${port} | tail -n 1`], {}, {});
      await eventually(async () => assert.equal(fetch().stdout, 'hello from remote-target\n'));
      // Outbound: the other host sees the host's address, not the container's (masquerade).
      const www = mkdtempSync('/tmp/berth-remote-www-');
      mkdirSync(`${www}/cgi-bin`);
      writeFileSync(`${www}/cgi-bin/peer`, '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n$REMOTE_ADDR\\n"\n', { mode: 0o755 });
      remoteServer = spawn('ip', ['netns', 'exec', name, 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
      await eventually(async () =>
        assert.equal(fetchFrom('remote-target', remoteIp, 80, '/cgi-bin/peer').replace(/^\[::ffff:(.*)\]$/, '$1'), hostIp),
      );
      rmSync(www, { recursive: true, force: true });
    } finally {
      remoteServer?.kill();
      runCommand('ip', ['netns', 'del', name], {}, {});
      runCommand('ip', ['link', 'del', hostSide], {}, {});
      docker('rm', '-f', 'remote-target');
    }
  });
});

describe('docker-compose', () => {
  test('services reach each other by service name and publish their ports', async (t) => {
    if (runCommand('docker-compose', ['version'], {}, {}).code !== 0) return t.skip('docker-compose is not installed');
    const dir = mkdtempSync('/tmp/berth-compose-');
    const port = await freePort();
    writeFileSync(
      `${dir}/docker-compose.yml`,
      [
        'version: "3.8"',
        'services:',
        '  web:',
        '    image: busybox',
        `    command: sh -c 'mkdir -p /www && echo compose-web > /www/index.html && exec httpd -f -p 80 -h /www'`,
        `    ports: ["${port}:80"]`,
        '  client:',
        '    image: busybox',
        '    command: sleep 600',
        '    depends_on: [web]',
        '',
      ].join('\n'),
    );
    const compose = (...args: string[]) => runCommand('docker-compose', ['--project-directory', dir, '-f', `${dir}/docker-compose.yml`, '-p', 'berthnet', ...args], { DOCKER_HOST: daemon.host }, { timeoutMs: 120000 });
    try {
      const up = compose('up', '-d');
      assert.equal(up.code, 0, up.stderr);
      assert.equal(fetchFrom('berthnet_client_1', 'web'), 'compose-web');
      assert.equal(await eventually(() => httpGet('127.0.0.1', port)), 'compose-web\n');
    } finally {
      const down = compose('down');
      rmSync(dir, { recursive: true, force: true });
      assert.equal(down.code, 0, down.stderr);
    }
    assert.equal(docker('network', 'inspect', 'berthnet_default').code, 1);
  });
});

describe('other network modes', () => {
  test('--network none has loopback only', () => {
    const links = ok('run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link');
    assert.deepEqual(
      links.split('\n').map((l) => l.split(':')[1].trim()),
      ['lo'],
    );
  });

  test('--network host sees the host\'s interfaces', () => {
    assert.match(ok('run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', 'link'), new RegExp(daemon.bridge));
  });

  test('--network container: shares another container\'s namespace', () => {
    const ip = inspect('web1', '{{ .NetworkSettings.IPAddress }}');
    assert.match(ok('run', '--rm', '--network', 'container:web1', 'busybox', 'ip', 'addr', 'show', 'eth0'), new RegExp(`inet ${ip.replaceAll('.', '\\.')}/`));
    assert.equal(ok('run', '--rm', '--network', 'container:web1', 'busybox', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 80 | tail -n 1`), 'hello from web1');
  });

  test('--add-host, --dns, --dns-search and --hostname reach the container\'s files', () => {
    const out = ok('run', '--rm', '--hostname', 'box', '--add-host', 'gw.test:10.9.9.9', '--dns', '10.1.2.3', '--dns-search', 'example.test', 'busybox', 'sh', '-c', 'hostname; cat /etc/hosts /etc/resolv.conf');
    assert.match(out, /^box\n/);
    assert.match(out, /10\.9\.9\.9\tgw\.test/);
    assert.match(out, /nameserver 10\.1\.2\.3/);
    assert.match(out, /search example\.test/);
    const bad = docker('run', '--rm', '--add-host', 'nocolon', 'busybox', 'true');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /bad format for add-host|invalid argument "nocolon"/);
    // host-gateway: the host's address on the default bridge, as in dockerd.
    assert.match(ok('run', '--rm', '--add-host', 'host.docker.internal:host-gateway', 'busybox', 'cat', '/etc/hosts'), new RegExp(`${daemon.subnetPrefix.replace('.', '\\.')}\\.0\\.1\\thost\\.docker\\.internal`));
  });

  test('MacAddress sets the interface address', async () => {
    // (docker CLI 28 sends --mac-address only to API 1.44 daemons: create through the API.)
    const created = await daemon.api('POST', '/v1.41/containers/create?name=mac1', { Image: 'busybox', Cmd: ['sleep', '60'], MacAddress: '02:42:de:ad:be:ef' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await daemon.api('POST', '/v1.41/containers/mac1/start')).status, 204);
    assert.match(ok('exec', 'mac1', 'ip', 'link', 'show', 'eth0'), /02:42:de:ad:be:ef/);
    assert.equal(inspect('mac1', '{{ .NetworkSettings.MacAddress }}'), '02:42:de:ad:be:ef');
    ok('rm', '-f', 'mac1');
  });
});

describe('live restore and teardown', () => {
  test('a published port keeps working across a berthd SIGKILL and is released afterwards', async () => {
    const port = await freePort();
    runWebServer('survivor', '-p', `${port}:80`);
    await eventually(() => httpGet('127.0.0.1', port));
    await daemon.kill('SIGKILL');
    assert.equal(await httpGet('127.0.0.1', port), 'hello from survivor\n');
    // Someone flushes berth's rules while it is away: the next berthd rebuilds them.
    runCommand('nft', ['delete', 'table', 'ip', `berth-${daemon.bridge}`], {}, {});
    await daemon.start();
    assert.equal(await httpGet('127.0.0.1', port), 'hello from survivor\n');
    // The restarted daemon holds the port: a new container cannot take it.
    assert.match(docker('run', '-d', '--name', 'thief', '-p', `${port}:80`, 'busybox', 'true').stderr, /port is already allocated/);
    docker('rm', '-f', 'thief');
    ok('rm', '-f', 'survivor');
    assert.doesNotMatch(portMapElements(daemon.bridge), new RegExp(`${port} : `));
  });

  test('removing every container leaves no veth, namespace or published port', async () => {
    const all = ok('ps', '-aq').split('\n').filter(Boolean);
    if (all.length) ok('rm', '-f', ...all);
    // The kernel deletes a namespace's veths just after its last user goes.
    await eventually(async () => assert.deepEqual(vethsOn(daemon.bridge), []));
    const netnsDir = `${daemon.execRoot}/netns`;
    assert.deepEqual(existsSync(netnsDir) ? readdirSync(netnsDir) : [], []);
    assert.doesNotMatch(portMapElements(daemon.bridge), /elements/);
    ok('network', 'rm', 'front', 'back');
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A DNS server answering A queries from a table, in a process of its own (the tests
 * block their event loop while the CLI runs); it reports the names it was asked.
 */
async function fakeResolver(address: string, table: Record<string, string>): Promise<{ queries: string[]; close(): void }> {
  const script = `
    const dnsPacket = require(${JSON.stringify(require.resolve('dns-packet'))});
    const socket = require('node:dgram').createSocket('udp4');
    const table = ${JSON.stringify(table)};
    socket.on('message', (msg, rinfo) => {
      const query = dnsPacket.decode(msg);
      const question = query.questions[0];
      process.stdout.write(question.name + '\\n');
      const answer = table[question.name];
      socket.send(dnsPacket.encode({
        type: 'response', id: query.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answer ? 0 : 3),
        questions: query.questions,
        answers: answer && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: answer }] : [],
      }), rinfo.port, rinfo.address);
    });
    socket.bind(53, ${JSON.stringify(address)}, () => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const queries: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        if (line === 'ready') resolve();
        else queries.push(line);
      }
    });
    child.once('exit', () => reject(new Error('the fake resolver exited')));
  });
  return { queries, close: () => child.kill() };
}

async function sendUdp(host: string, port: number, message: string): Promise<void> {
  const dgram = await import('node:dgram');
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(message, port, host, (err) => (err ? reject(err) : resolve())));
  socket.close();
}
