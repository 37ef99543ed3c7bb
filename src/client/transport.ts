// HTTP over a unix socket or TCP to an Engine API server: version negotiation, JSON requests,
// streamed bodies and hijacked (upgraded) connections.
import http from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { API_VERSION } from '../api/types.js';
import { ConnectionError, DaemonError } from './errors.js';
import { parseHost, type Endpoint } from './host.js';

export type QueryValue = string | number | boolean | string[] | undefined | null;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** A JSON-serialisable value, or a raw body (stream or buffer) sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A hijacked connection. Whether its output is multiplexed follows from the container's TTY
 * setting (API < 1.42 labels both kinds raw-stream), so the caller decides.
 */
export interface Hijacked {
  socket: Socket;
}

export interface PingInfo {
  apiVersion: string;
  osType: string;
  experimental: boolean;
}

/** Compares dotted API versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === false) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, value === true ? '1' : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isRawBody(body: unknown): body is Readable | Buffer | string {
  return body instanceof Readable || Buffer.isBuffer(body) || typeof body === 'string';
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function errorFrom(res: http.IncomingMessage, path: string): Promise<DaemonError> {
  const text = (await readAll(res)).toString().trim();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: the body text is the message
  }
  if (!message) message = `request returned ${res.statusMessage ?? res.statusCode} for API route and version ${path}, check if the server supports the requested API version`;
  return new DaemonError(res.statusCode ?? 500, message);
}

export class Transport {
  private readonly endpoint: Endpoint;
  private version: string | undefined;
  private ping: Promise<PingInfo> | undefined;

  constructor(readonly host: string, fixedVersion?: string) {
    this.endpoint = parseHost(host);
    this.version = fixedVersion;
  }

  /** Pings the daemon once (HEAD /_ping, falling back to GET) and settles the API version. */
  info(): Promise<PingInfo> {
    this.ping ??= this.doPing();
    return this.ping;
  }

  async apiVersion(): Promise<string> {
    if (!this.version) {
      const server = (await this.info()).apiVersion;
      this.version = compareVersions(server, API_VERSION) < 0 ? server : API_VERSION;
    }
    return this.version;
  }

  private async doPing(): Promise<PingInfo> {
    let res: http.IncomingMessage;
    try {
      res = await this.send('HEAD', '/_ping', {});
      res.resume();
      if ((res.statusCode ?? 500) >= 400) throw new Error('HEAD /_ping failed');
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      res = await this.send('GET', '/_ping', {});
      res.resume();
    }
    return {
      apiVersion: String(res.headers['api-version'] ?? '1.24'),
      osType: String(res.headers['ostype'] ?? ''),
      experimental: res.headers['docker-experimental'] === 'true',
    };
  }

  private options(method: string, path: string, headers: Record<string, string>): http.RequestOptions {
    return { ...this.endpoint, method, path, headers: { 'User-Agent': 'berth-cli', ...headers }, agent: false };
  }

  private prepare(opts: RequestOptions): { headers: Record<string, string>; body: Readable | Buffer | string | undefined } {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body === undefined) return { headers, body: undefined };
    if (isRawBody(opts.body)) {
      headers['Content-Type'] ??= 'application/x-tar';
      return { headers, body: opts.body };
    }
    headers['Content-Type'] = 'application/json';
    return { headers, body: JSON.stringify(opts.body) };
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const { headers, body } = this.prepare(opts);
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, path + encodeQuery(opts.query), headers), resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.code && !req.reusedSocket ? new ConnectionError(this.host, err) : err));
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });
  }

  private async versioned(path: string): Promise<string> {
    return `/v${await this.apiVersion()}${path}`;
  }

  /** Sends a request; a status >= 400 becomes a DaemonError. The body is left to the caller. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const res = await this.send(method, await this.versioned(path), opts);
    if ((res.statusCode ?? 500) >= 400) throw await errorFrom(res, path);
    return res;
  }

  async text(method: string, path: string, opts: RequestOptions = {}): Promise<string> {
    return (await readAll(await this.request(method, path, opts))).toString();
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const text = await this.text(method, path, opts);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  async discard(method: string, path: string, opts: RequestOptions = {}): Promise<void> {
    (await this.request(method, path, opts)).resume();
  }

  /** Upgrades the connection (`Connection: Upgrade`, `Upgrade: tcp`) and hands over the raw socket. */
  async hijack(method: string, path: string, opts: RequestOptions = {}): Promise<Hijacked> {
    const fullPath = (await this.versioned(path)) + encodeQuery(opts.query);
    const { headers, body } = this.prepare(opts);
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, fullPath, { ...headers, Connection: 'Upgrade', Upgrade: 'tcp' }));
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.code ? new ConnectionError(this.host, err) : err));
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve({ socket });
      });
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) errorFrom(res, path).then(reject, reject);
        else {
          res.resume();
          reject(new Error(`the daemon did not upgrade the connection (status ${res.statusCode})`));
        }
      });
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });
  }
}
