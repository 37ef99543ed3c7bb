import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badParameter, errorMessage } from '../../common/errors.js';

/** One API request: the parsed parts a handler needs and the ways to answer it. */
export class RequestContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    readonly apiVersion: string,
    /** Set when the client asked to upgrade the connection (attach, exec start). */
    private readonly upgrade?: { socket: Duplex; head: Buffer },
  ) {}

  param(name: string): string {
    return this.params[name] ?? '';
  }

  /** Docker's boolean query values: 1/true/True are true, 0/false/empty are false. */
  flag(name: string, fallback = false): boolean {
    const v = this.query.get(name);
    if (v === null) return fallback;
    return !['', '0', 'false', 'False', 'FALSE', 'no'].includes(v);
  }

  int(name: string, fallback: number): number {
    const v = this.query.get(name);
    if (v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw badParameter(`invalid value for ${name}: ${v}`);
    return Math.trunc(n);
  }

  /** The `filters` query parameter: `{"label":["a=b"]}` (or the legacy `{"label":{"a=b":true}}`). */
  filters(): Map<string, string[]> {
    const raw = this.query.get('filters');
    const out = new Map<string, string[]>();
    if (!raw) return out;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw badParameter(`invalid filter: ${raw}`);
    }
    if (!parsed || typeof parsed !== 'object') throw badParameter(`invalid filter: ${raw}`);
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      out.set(key, Array.isArray(value) ? value.map(String) : Object.keys(value as object));
    }
    return out;
  }

  async body(): Promise<Buffer> {
    if (this.upgrade) return this.upgradeBody(this.upgrade);
    const chunks: Buffer[] = [];
    for await (const chunk of this.req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** An upgraded request's body is still in the socket (after `head`): Content-Length bytes. */
  private async upgradeBody(upgrade: { socket: Duplex; head: Buffer }): Promise<Buffer> {
    const length = Number(this.req.headers['content-length'] ?? 0);
    let data = upgrade.head;
    while (data.length < length) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (d: Buffer) => done(d);
        const onEnd = () => done(null);
        const done = (d: Buffer | null) => {
          upgrade.socket.off('data', onData).off('end', onEnd);
          upgrade.socket.pause();
          resolve(d);
        };
        upgrade.socket.on('data', onData).once('end', onEnd);
        upgrade.socket.resume();
      });
      if (!chunk) break;
      data = Buffer.concat([data, chunk]);
    }
    upgrade.head = data.subarray(length);
    return data.subarray(0, length);
  }

  /** The JSON body; an empty body is `fallback`, malformed JSON a 400 like dockerd's. */
  async json<T>(fallback?: T): Promise<T> {
    const text = (await this.body()).toString('utf8');
    if (text.trim() === '') {
      if (fallback !== undefined) return fallback;
      throw badParameter('invalid JSON: empty body');
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw badParameter(`invalid character in JSON: ${errorMessage(err)}`);
    }
  }

  send(status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (body === undefined) {
      this.res.writeHead(status, headers);
      this.res.end();
      return;
    }
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) + '\n';
    this.res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': String(Buffer.byteLength(payload)),
      ...headers,
    });
    this.res.end(payload);
  }

  sendError(err: unknown): void {
    const status = err instanceof ApiError ? err.statusCode : 500;
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    if (status === 304) return this.send(304);
    // A client that asked to close gets its connection closed after the answer, and an answer
    // given while its body is still coming in is lost to the reset. Read the rest first.
    if (!this.upgrade && !this.req.complete && !this.req.destroyed) {
      this.req.once('end', () => this.send(status, { message: errorMessage(err) }));
      this.req.resume();
      return;
    }
    this.send(status, { message: errorMessage(err) });
  }

  /** Starts a streamed 200 answer (events, logs, progress): chunked JSON lines or raw frames. */
  stream(contentType: string): ServerResponse {
    this.res.writeHead(200, { 'Content-Type': contentType });
    this.res.flushHeaders();
    return this.res;
  }

  /**
   * Takes over the connection for a bidirectional stream, as dockerd's hijack does:
   * `101 UPGRADED` when the client asked to upgrade, else a plain 200 on the response.
   * Returns the input (client to container) and the output.
   */
  hijack(contentType: string): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; close(): void } {
    if (this.upgrade) {
      const { socket, head } = this.upgrade;
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      // Held until the consumer listens (an exec's stream is joined only once conmon is ready).
      socket.pause();
      if (head.length) socket.unshift(head);
      return { input: socket, output: socket, close: () => socket.end() };
    }
    this.res.writeHead(200, { 'Content-Type': contentType });
    this.res.flushHeaders();
    return { input: this.req, output: this.res, close: () => this.res.end() };
  }
}
