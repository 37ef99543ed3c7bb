// Tests for src/network/dns-server.ts: a real namespace (native.createNetns), the server attached
// in it, queries from inside it (a UDP client socket made there with openSocketInNetns; busybox
// nslookup and a python TCP client through nsenter), and fake upstreams on 127.0.0.1 of the host.
// Needs root, nsenter, busybox and python3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import dnsPacket, { type DecodedPacket, type RecordType, type StringAnswer } from 'dns-packet';
import { native } from '../../src/kernel/native.js';
import { EmbeddedDns, type DnsResolver } from '../../src/network/dns-server.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root';
const execFileAsync = promisify(execFile);

const CONTAINER = 'c0ffee';
const NAMES: Record<string, string[]> = {
  web: ['10.0.0.2'],
  shared: ['10.0.0.3', '10.0.0.4', '10.0.0.5'],
  many: Array.from({ length: 100 }, (_, i) => `10.1.0.${i + 1}`),
};

let upstreams: string[] = [];
const resolver: DnsResolver = {
  lookup: (containerId, name) => (containerId === CONTAINER ? NAMES[name] : undefined),
  lookupAddress: (containerId, address) => (containerId === CONTAINER && address === '10.0.0.2' ? 'web.testnet' : undefined),
  upstreams: () => upstreams,
};

// ---- fakes: upstream resolvers in the host's namespace ------------------------------------------

interface Upstream {
  spec: string;
  /** The names it was asked, with the transport. */
  asked: string[];
  close(): void;
}

/** An upstream on 127.0.0.1 (UDP and TCP, one port) that answers A records with 192.0.2.1, or SERVFAIL, or nothing. */
async function fakeUpstream(behaviour: 'answer' | 'servfail' | 'silent'): Promise<Upstream> {
  const asked: string[] = [];
  const reply = (message: Buffer, transport: string): Buffer | undefined => {
    const query = dnsPacket.decode(message);
    const question = query.questions![0]!;
    asked.push(`${transport} ${question.name}`);
    if (behaviour === 'silent') return undefined;
    return dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_AVAILABLE | (behaviour === 'servfail' ? 2 : 0),
      questions: query.questions,
      answers: behaviour === 'answer' && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 30, data: '192.0.2.1' }] : [],
    });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message, rinfo) => {
    const answer = reply(message, 'udp');
    if (answer) udp.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const { port } = udp.address();
  const tcp = net.createServer((conn) => {
    conn.once('data', (chunk) => {
      const answer = reply(chunk.subarray(2, 2 + chunk.readUInt16BE(0)), 'tcp');
      if (answer) conn.end(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  return { spec: `127.0.0.1:${port}`, asked, close: () => { udp.close(); tcp.close(); } };
}

/** A port on 127.0.0.1 where nothing listens: UDP gets ICMP "port unreachable", TCP a reset. */
async function closedPort(): Promise<string> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `127.0.0.1:${port}`;
}

// ---- the namespace, the server and a client inside ----------------------------------------------

let dir: string;
let netnsPath: string;
let dns: EmbeddedDns;
let client: dgram.Socket;
let good: Upstream;
const pending = new Map<number, (reply: DecodedPacket) => void>();
let nextId = 1;

before(() => {
  if (!isRoot) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dns-'));
  netnsPath = path.join(dir, 'netns');
  native.createNetns(netnsPath);
  dns = new EmbeddedDns(resolver);
  dns.attach(CONTAINER, netnsPath);
  client = dgram.createSocket('udp4').bind({ fd: native.openSocketInNetns(netnsPath, 'udp', '127.0.0.1', 0) });
  client.on('message', (message) => {
    const reply = dnsPacket.decode(message);
    pending.get(reply.id!)?.(reply);
  });
});

before(async () => {
  if (isRoot) good = await fakeUpstream('answer');
});

after(() => {
  // Each step on its own: a failed one must not leave the namespace mounted.
  const steps = [() => client?.close(), () => dns?.close(), () => good?.close(), () => netnsPath && native.deleteNetns(netnsPath), () => dir && fs.rmSync(dir, { recursive: true, force: true })];
  for (const step of steps) {
    try { step(); } catch (err) { console.error('cleanup:', err); }
  }
});

/** Sends raw bytes to 127.0.0.11:53 from inside the namespace; the reply with that id, or undefined after ms. */
function send(message: Buffer, ms = 5000): Promise<DecodedPacket | undefined> {
  const id = message.readUInt16BE(0);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { pending.delete(id); resolve(undefined); }, ms);
    pending.set(id, (reply) => { clearTimeout(timer); pending.delete(id); resolve(reply); });
    client.send(message, 53, '127.0.0.11');
  });
}

function encodeQuery(name: string, type: RecordType = 'A'): Buffer {
  return dnsPacket.encode({ type: 'query', id: nextId++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

async function ask(name: string, type: RecordType = 'A'): Promise<DecodedPacket> {
  const reply = await send(encodeQuery(name, type));
  assert.ok(reply, `no reply for ${type} ${name}`);
  return reply;
}

// The typings omit the decoded rcode, and type answers as any record: these tests only see A and PTR.
const rcode = (reply: DecodedPacket) => (reply as DecodedPacket & { rcode: string }).rcode;
const answers = (reply: DecodedPacket) => (reply.answers ?? []) as StringAnswer[];
const addresses = (reply: DecodedPacket) => answers(reply).map((a) => a.data);

/** One query over TCP from a python client inside the namespace. */
async function askTcp(name: string): Promise<DecodedPacket> {
  const script = `
import socket, sys
q = bytes.fromhex(sys.argv[1])
s = socket.create_connection(("127.0.0.11", 53), 5)
s.sendall(len(q).to_bytes(2, "big") + q)
data = b""
while len(data) < 2 or len(data) < 2 + int.from_bytes(data[:2], "big"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data[2:].hex())`;
  const { stdout } = await execFileAsync('nsenter', [`--net=${netnsPath}`, 'python3', '-c', script, encodeQuery(name).toString('hex')], { timeout: 10000 });
  return dnsPacket.decode(Buffer.from(stdout.trim(), 'hex'));
}

// ---- tests ----------------------------------------------------------------------------------------

test('busybox nslookup in the namespace resolves a container and a forwarded name', { skip }, async () => {
  upstreams = [good.spec];
  const nslookup = async (name: string) =>
    (await execFileAsync('nsenter', [`--net=${netnsPath}`, '/bin/busybox', 'nslookup', name, '127.0.0.11'], { timeout: 10000 })).stdout;
  assert.match(await nslookup('web'), /Address:\s+10\.0\.0\.2\b/);
  assert.match(await nslookup('example.test'), /Address:\s+192\.0\.2\.1\b/);
});

test('A: every address, TTL 600, the first one changing from query to query', { skip }, async () => {
  const firsts: string[] = [];
  for (let i = 0; i < 3; i++) {
    const reply = await ask('shared');
    assert.equal(rcode(reply), 'NOERROR');
    assert.equal(reply.flag_qr, true);
    assert.equal(reply.flag_rd, true);
    assert.equal(reply.flag_ra, true);
    assert.deepEqual([...addresses(reply)].sort(), NAMES.shared);
    assert.ok(answers(reply).every((a) => a.type === 'A' && a.name === 'shared' && a.ttl === 600));
    firsts.push(addresses(reply)[0]!);
  }
  assert.deepEqual(firsts.sort(), NAMES.shared, 'each address comes first once in three queries');

  // Case and a trailing dot do not matter; the question comes back as asked.
  const upper = await ask('WeB.');
  assert.deepEqual(addresses(upper), ['10.0.0.2']);
  assert.equal(upper.questions![0]!.name, 'WeB');
});

test('AAAA for a container: NOERROR without answers, not forwarded', { skip }, async () => {
  upstreams = [good.spec];
  const askedBefore = good.asked.length;
  const reply = await ask('web', 'AAAA');
  assert.equal(rcode(reply), 'NOERROR');
  assert.deepEqual(reply.answers, []);
  assert.equal(good.asked.length, askedBefore);
});

test('PTR for a container address answers its name; others are forwarded', { skip }, async () => {
  upstreams = [good.spec];
  const reply = await ask('2.0.0.10.in-addr.arpa', 'PTR');
  assert.deepEqual(answers(reply).map((a) => [a.type, a.data, a.ttl]), [['PTR', 'web.testnet', 600]]);
  await ask('9.0.0.10.in-addr.arpa', 'PTR');
  assert.equal(good.asked.at(-1), 'udp 9.0.0.10.in-addr.arpa');
});

test('other names go to the upstream, the reply carries the client\'s id', { skip }, async () => {
  upstreams = [good.spec];
  const query = encodeQuery('example.test');
  const reply = await send(query);
  assert.equal(reply?.id, query.readUInt16BE(0));
  assert.deepEqual(addresses(reply!), ['192.0.2.1']);
  // A container name with a search-domain suffix is not a container name.
  await ask('web.corp.example');
  assert.deepEqual(good.asked.slice(-2), ['udp example.test', 'udp web.corp.example']);
});

test('upstreams in turn: refused, silent (2 s), SERVFAIL, then one that answers', { skip }, async (t) => {
  const silent = await fakeUpstream('silent');
  const failing = await fakeUpstream('servfail');
  t.after(() => { silent.close(); failing.close(); });
  upstreams = [await closedPort(), silent.spec, failing.spec, good.spec];
  const started = Date.now();
  const reply = await ask('slow.example.test');
  const took = Date.now() - started;
  assert.deepEqual(addresses(reply), ['192.0.2.1']);
  assert.deepEqual([silent.asked, failing.asked, good.asked.at(-1)], [['udp slow.example.test'], ['udp slow.example.test'], 'udp slow.example.test']);
  assert.ok(took >= 1900 && took < 3500, `took ${took} ms`);

  upstreams = [await closedPort(), failing.spec];
  assert.equal(rcode(await ask('example.test')), 'SERVFAIL');
  upstreams = [];
  assert.equal(rcode(await ask('example.test')), 'SERVFAIL');
});

test('too many addresses for UDP: as many as fit and TC; TCP gets them all', { skip }, async () => {
  const udp = await ask('many');
  assert.equal(udp.flag_tc, true);
  assert.ok(udp.answers!.length > 0 && udp.answers!.length < 100, `${udp.answers!.length} answers`);
  assert.ok(dnsPacket.encode(udp).length <= 512);

  const tcp = await askTcp('many');
  assert.equal(tcp.flag_tc, false);
  assert.deepEqual([...addresses(tcp)].sort(), [...NAMES.many!].sort());
});

test('TCP: container names answered, other names relayed over TCP', { skip }, async () => {
  upstreams = [good.spec];
  assert.deepEqual(addresses(await askTcp('web')), ['10.0.0.2']);
  assert.deepEqual(addresses(await askTcp('tcp.example.test')), ['192.0.2.1']);
  assert.equal(good.asked.at(-1), 'tcp tcp.example.test');
});

test('malformed packets and responses are dropped; the server keeps answering', { skip }, async () => {
  const garbage = Buffer.from('\x12\x34not dns at all');
  const truncated = encodeQuery('web').subarray(0, 15);
  const response = dnsPacket.encode({ type: 'response', id: nextId++, questions: [{ type: 'A', name: 'web' }] });
  const noQuestion = dnsPacket.encode({ type: 'query', id: nextId++, questions: [] });
  for (const message of [garbage, truncated, response, noQuestion]) assert.equal(await send(message, 300), undefined);
  assert.deepEqual(addresses(await ask('web')), ['10.0.0.2']);
});

test('attach is idempotent; detach stops answering; attach again answers again', { skip }, async () => {
  dns.attach(CONTAINER, netnsPath);
  assert.deepEqual(addresses(await ask('web')), ['10.0.0.2']);
  dns.detach(CONTAINER);
  dns.detach(CONTAINER);
  assert.equal(await send(encodeQuery('web'), 300), undefined);
  dns.attach(CONTAINER, netnsPath);
  assert.deepEqual(addresses(await ask('web')), ['10.0.0.2']);
});
