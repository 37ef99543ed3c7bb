// The embedded DNS server, Docker's 127.0.0.11: inside each container's network namespace it
// answers the names of the containers on the container's networks and forwards every other
// query to the container's upstream resolvers. The listening sockets are created inside the
// namespace (native.openSocketInNetns) and served by berthd's own event loop; forwarding goes
// out from berthd, in the host's namespace, so loopback resolvers of the host work too.
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from 'dns-packet';
import { errorMessage } from '../common/errors.js';
import { log } from '../common/log.js';
import { native } from '../kernel/native.js';

export const EMBEDDED_DNS_ADDRESS = '127.0.0.11';

export interface DnsResolver {
  /**
   * The IPv4 addresses of `name` (lowercase, no trailing dot) as container `containerId` sees
   * it, or undefined when it is no container or alias name there (the query is then forwarded).
   * An empty array means "known, but no address": NOERROR with no answers.
   */
  lookup(containerId: string, name: string): string[] | undefined;
  /**
   * The name (e.g. "web.mynet") that container `containerId` sees for the IPv4 address, for
   * PTR queries; undefined (or no such method) forwards the query.
   */
  lookupAddress?(containerId: string, address: string): string | undefined;
  /**
   * Where to forward other names for this container, tried in order: "address" (port 53) or
   * "address:port" ("[v6 address]:port"). Empty: every forwarded query gets SERVFAIL, as Docker
   * answers on a network it does not proxy for (an internal one).
   */
  upstreams(containerId: string): string[];
}

const DNS_PORT = 53;
const TTL_SECONDS = 600; // Docker's
const UPSTREAM_TIMEOUT_MS = 2000;
// Each forward holds a socket in berthd: bound them all (Docker allows 1024 at once per
// container; berthd's descriptors are shared by every container). Over it, queries are dropped.
const MAX_FORWARDS_IN_FLIGHT = 1024;
const MAX_TCP_CONNECTIONS_PER_CONTAINER = 32;
const TCP_IDLE_TIMEOUT_MS = 10_000;
const UDP_MIN_REPLY_SIZE = 512; // RFC 1035, when the query has no EDNS payload size

const RCODE_SERVFAIL = 2;
const RCODE_REFUSED = 5;
// Header bits a reply repeats from its query: opcode, RD and CD.
const ECHOED_FLAGS = (0xf << 11) | dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED;

type Transport = 'udp' | 'tcp';

interface Attachment {
  containerId: string;
  netnsPath: string;
  udp: dgram.Socket;
  tcp: net.Server;
  connections: Set<net.Socket>;
  /** Where the next answer for a name with several addresses starts (round robin). */
  rotations: Map<string, number>;
  /** Aborted on detach: pending forwards stop and their replies are not sent. */
  detached: AbortController;
}

export class EmbeddedDns {
  private readonly attachments = new Map<string, Attachment>();
  private forwardsInFlight = 0;

  constructor(private readonly resolver: DnsResolver) {}

  /**
   * Starts answering at 127.0.0.11:53 (UDP and TCP) inside the network namespace mounted at
   * netnsPath. Idempotent per container; a different path replaces the old sockets.
   */
  attach(containerId: string, netnsPath: string): void {
    const existing = this.attachments.get(containerId);
    if (existing?.netnsPath === netnsPath) return;
    if (existing) this.detach(containerId);

    const udpFd = native.openSocketInNetns(netnsPath, 'udp', EMBEDDED_DNS_ADDRESS, DNS_PORT);
    let tcpFd: number;
    try {
      tcpFd = native.openSocketInNetns(netnsPath, 'tcp', EMBEDDED_DNS_ADDRESS, DNS_PORT);
    } catch (err) {
      native.close(udpFd);
      throw err;
    }
    const attachment: Attachment = {
      containerId,
      netnsPath,
      udp: dgram.createSocket('udp4'),
      tcp: net.createServer((conn) => this.serveConnection(attachment, conn)),
      connections: new Set(),
      rotations: new Map(),
      detached: new AbortController(),
    };
    const { udp, tcp } = attachment;
    udp.on('error', (err) => log.warn('embedded DNS: UDP socket failed', { id: containerId, err: errorMessage(err) }));
    udp.on('message', (message, client) => {
      this.answer(attachment, message, 'udp')
        .then((reply) => {
          if (reply && !attachment.detached.signal.aborted) udp.send(reply, client.port, client.address);
        })
        .catch((err) => log.warn('embedded DNS: query failed', { id: containerId, err: errorMessage(err) }));
    });
    udp.bind({ fd: udpFd });
    tcp.maxConnections = MAX_TCP_CONNECTIONS_PER_CONTAINER;
    tcp.on('error', (err) => log.warn('embedded DNS: TCP socket failed', { id: containerId, err: errorMessage(err) }));
    tcp.listen({ fd: tcpFd });
    this.attachments.set(containerId, attachment);
  }

  detach(containerId: string): void {
    const attachment = this.attachments.get(containerId);
    if (!attachment) return;
    this.attachments.delete(containerId);
    attachment.detached.abort();
    attachment.udp.close();
    attachment.tcp.close();
    for (const conn of attachment.connections) conn.destroy();
  }

  close(): void {
    for (const containerId of [...this.attachments.keys()]) this.detach(containerId);
  }

  private serveConnection(attachment: Attachment, conn: net.Socket): void {
    attachment.connections.add(conn);
    conn.on('close', () => attachment.connections.delete(conn));
    conn.on('error', () => {}); // a client gone mid-reply: 'close' follows, nothing else to do
    conn.setTimeout(TCP_IDLE_TIMEOUT_MS, () => conn.destroy());
    conn.on(
      'data',
      tcpMessageReader((message) => {
        this.answer(attachment, message, 'tcp')
          .then((reply) => {
            if (reply && conn.writable) conn.write(tcpFrame(reply));
          })
          .catch((err) => log.warn('embedded DNS: query failed', { id: attachment.containerId, err: errorMessage(err) }));
      }),
    );
  }

  /** The reply to one query, or undefined to drop it (malformed, not a query, or overload). */
  private async answer(attachment: Attachment, message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || !question) return undefined;

    const local = this.answerLocally(attachment, query, question);
    if (local) return encodeFitting(local, maxReplySize(query, transport));

    if (this.forwardsInFlight >= MAX_FORWARDS_IN_FLIGHT) {
      log.debug('embedded DNS: too many queries in flight, dropped one', { id: attachment.containerId });
      return undefined;
    }
    this.forwardsInFlight++;
    try {
      const upstreams = this.resolver.upstreams(attachment.containerId);
      const reply = await forward(message, upstreams, transport, attachment.detached.signal);
      if (!reply) return dnsPacket.encode(response(query, RCODE_SERVFAIL));
      reply.writeUInt16BE(query.id!, 0);
      return reply;
    } finally {
      this.forwardsInFlight--;
    }
  }

  /** The answer when the name is one of berth's, else undefined (to forward). */
  private answerLocally(attachment: Attachment, query: DecodedPacket, question: Question): Packet | undefined {
    const { containerId } = attachment;
    const name = question.name.toLowerCase();
    switch (question.type) {
      case 'A':
      case 'AAAA': {
        const addresses = this.resolver.lookup(containerId, name);
        if (!addresses) return undefined;
        // Containers have IPv4 addresses only: "no AAAA record", not "no such name", which would
        // make resolvers give up on the A record too.
        if (question.type === 'AAAA') return response(query, 0);
        const answers: Answer[] = rotate(attachment.rotations, name, addresses).map((data) => ({ type: 'A', name: question.name, ttl: TTL_SECONDS, data }));
        return response(query, 0, answers);
      }
      case 'PTR': {
        const address = addressOfReverseName(name);
        const host = address && this.resolver.lookupAddress?.(containerId, address);
        if (!host) return undefined;
        return response(query, 0, [{ type: 'PTR', name: question.name, ttl: TTL_SECONDS, data: host }]);
      }
      default:
        return undefined;
    }
  }
}

function response(query: DecodedPacket, rcode: number, answers: Answer[] = []): Packet {
  return {
    type: 'response',
    id: query.id,
    flags: (query.flags! & ECHOED_FLAGS) | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
    answers,
  };
}

/** The addresses starting one further on than last time, so clients spread over them. */
function rotate(rotations: Map<string, number>, name: string, addresses: string[]): string[] {
  if (addresses.length < 2) return addresses;
  const start = (rotations.get(name) ?? 0) % addresses.length;
  rotations.set(name, (start + 1) % addresses.length);
  return [...addresses.slice(start), ...addresses.slice(0, start)];
}

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4"; undefined for any other name. */
function addressOfReverseName(name: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  const address = match?.slice(1).reverse().join('.');
  return address && net.isIPv4(address) ? address : undefined;
}

function maxReplySize(query: DecodedPacket, transport: Transport): number {
  if (transport === 'tcp') return 0xffff;
  const opt = query.additionals?.find((record): record is OptAnswer => record.type === 'OPT');
  return Math.max(UDP_MIN_REPLY_SIZE, opt?.udpPayloadSize ?? 0);
}

/**
 * Encodes a local answer within maxSize. Only A answers can grow past it (a shared alias of
 * many containers); they are all alike, so keep as many as fit and set TC, which tells the
 * client to ask again over TCP.
 */
function encodeFitting(packet: Packet, maxSize: number): Buffer {
  const full = dnsPacket.encode(packet);
  const answers = packet.answers ?? [];
  if (full.length <= maxSize || answers.length === 0) return full;
  const withoutAnswers = dnsPacket.encodingLength({ ...packet, answers: [] });
  const perAnswer = (full.length - withoutAnswers) / answers.length;
  const fitting = Math.max(0, Math.floor((maxSize - withoutAnswers) / perAnswer));
  return dnsPacket.encode({ ...packet, flags: packet.flags! | dnsPacket.TRUNCATED_RESPONSE, answers: answers.slice(0, fitting) });
}

// ---- forwarding ---------------------------------------------------------------------------------

interface Upstream {
  address: string;
  port: number;
}

/** "1.1.1.1", "127.0.0.1:5353", "::1", "[::1]:5353"; undefined when it is none of those. */
function parseUpstream(spec: string): Upstream | undefined {
  if (net.isIP(spec)) return { address: spec, port: DNS_PORT };
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(spec);
  const port = Number(match?.[2]);
  return match && net.isIP(match[1]!) && port > 0 && port < 0x10000 ? { address: match[1]!, port } : undefined;
}

/**
 * Sends the query to each upstream in turn until one answers (not SERVFAIL or REFUSED: as
 * Docker, another server may do better); its reply (with the upstream's id), or undefined.
 */
async function forward(query: Buffer, upstreams: string[], transport: Transport, signal: AbortSignal): Promise<Buffer | undefined> {
  for (const spec of upstreams) {
    const upstream = parseUpstream(spec);
    if (!upstream) {
      log.warn('embedded DNS: not a resolver address, skipped', { upstream: spec });
      continue;
    }
    try {
      const reply = await exchange(upstream, query, transport, signal);
      const rcode = reply[3]! & 0xf;
      if (rcode !== RCODE_SERVFAIL && rcode !== RCODE_REFUSED) return reply;
    } catch (err) {
      if (signal.aborted) return undefined;
      log.debug('embedded DNS: upstream failed', { upstream: spec, err: errorMessage(err) });
    }
  }
  return undefined;
}

/**
 * One query to one upstream from a socket of its own, under a fresh random id (and, for UDP, a
 * fresh source port): a forged reply must guess both.
 */
function exchange(upstream: Upstream, query: Buffer, transport: Transport, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0x10000);
    const outgoing = Buffer.from(query);
    outgoing.writeUInt16BE(id, 0);
    let settled = false;
    const settle = (err: Error | undefined, reply?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      closeSocket();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onReply = (reply: Buffer) => {
      if (reply.length >= 12 && reply.readUInt16BE(0) === id && reply[2]! & 0x80) settle(undefined, reply);
    };
    const onAbort = () => settle(new Error('detached'));
    const timer = setTimeout(() => settle(new Error(`no reply in ${UPSTREAM_TIMEOUT_MS} ms`)), UPSTREAM_TIMEOUT_MS);
    signal.addEventListener('abort', onAbort);
    const closeSocket = transport === 'udp' ? sendUdp(upstream, outgoing, onReply, settle) : sendTcp(upstream, outgoing, onReply, settle);
  });
}

/** Sends one datagram; returns the socket's close. */
function sendUdp(upstream: Upstream, message: Buffer, onReply: (reply: Buffer) => void, onError: (err: Error) => void): () => void {
  const socket = dgram.createSocket(net.isIPv6(upstream.address) ? 'udp6' : 'udp4');
  socket.on('error', onError).on('message', onReply);
  // Connected: the kernel passes on only the upstream's datagrams, and reports its ICMP
  // "port unreachable" as an error at once instead of a timeout.
  socket.once('connect', () => socket.send(message));
  socket.connect(upstream.port, upstream.address);
  return () => socket.close();
}

/** Sends one message over a new TCP connection; returns the socket's destroy. */
function sendTcp(upstream: Upstream, message: Buffer, onReply: (reply: Buffer) => void, onError: (err: Error) => void): () => void {
  const socket = net.connect(upstream.port, upstream.address);
  socket.on('error', onError);
  socket.on('close', () => onError(new Error('closed without a reply')));
  socket.on('data', tcpMessageReader(onReply));
  socket.write(tcpFrame(message));
  return () => socket.destroy();
}

// ---- DNS over TCP: each message preceded by its length, 2 bytes big-endian -----------------------

function tcpFrame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** A 'data' listener that calls onMessage with each complete message of the stream. */
function tcpMessageReader(onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const end = 2 + pending.readUInt16BE(0);
      onMessage(pending.subarray(2, end));
      pending = pending.subarray(end);
    }
  };
}
