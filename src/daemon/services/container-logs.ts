import { promises as fs, constants as fsc } from 'node:fs';
import { frame } from './attach.js';

/** One line of conmon's k8s-file log: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`. */
interface LogEntry {
  time: string;
  epochNs: bigint;
  stream: 'stdout' | 'stderr';
  text: Buffer;
}

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  /** Lines from the end; negative for all. */
  tail: number;
  /** Unix seconds (may be fractional); 0 for no bound. */
  since: number;
  until: number;
  tty: boolean;
  /** dockerd's `details`: each line after its log attributes and a space (berth has none). */
  details?: boolean;
}

/** Rotated files are `<log>.1` (newest) to `<log>.<max-file - 1>`. */
export function rotatedPaths(logPath: string, maxFiles: number): string[] {
  return Array.from({ length: Math.max(0, maxFiles - 1) }, (_, i) => `${logPath}.${i + 1}`);
}

/**
 * Writes a container's logs to out in the Engine API's form, following new
 * output while `isRunning()` when asked to.
 */
export async function streamLogs(
  logPath: string,
  maxFiles: number,
  opts: LogOptions,
  out: NodeJS.WritableStream,
  isRunning: () => boolean,
  cancelled: () => boolean,
): Promise<void> {
  const files = [...rotatedPaths(logPath, maxFiles).reverse(), logPath];
  const entries: LogEntry[] = [];
  const parser = new LogParser((e) => entries.push(e));
  for (const file of files) {
    const data = await fs.readFile(file).catch(() => undefined);
    if (data) parser.push(data);
  }
  parser.flush();
  const sinceNs = BigInt(Math.floor(opts.since * 1e9));
  const untilNs = opts.until ? BigInt(Math.floor(opts.until * 1e9)) : undefined;
  let selected = entries.filter((e) => wanted(e, opts) && e.epochNs >= sinceNs && (untilNs === undefined || e.epochNs <= untilNs));
  if (opts.tail >= 0) selected = opts.tail === 0 ? [] : selected.slice(-opts.tail);
  for (const e of selected) out.write(render(e, opts));
  if (!opts.follow || untilNs !== undefined) return;

  // Follow: read what is appended to the live file (and to its successor after a rotation).
  let handle = await fs.open(logPath, fsc.O_RDONLY).catch(() => undefined);
  let offset = (await handle?.stat())?.size ?? 0;
  const follower = new LogParser((e) => {
    if (wanted(e, opts)) out.write(render(e, opts));
  });
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    if (cancelled()) break;
    const running = isRunning();
    let read = 0;
    if (handle) {
      ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, offset));
      offset += read;
      if (read) follower.push(buffer.subarray(0, read));
    }
    if (read) continue;
    const current = await fs.stat(logPath).catch(() => undefined);
    const open = await handle?.stat();
    if (current && (!open || current.ino !== open.ino)) {
      await handle?.close();
      handle = await fs.open(logPath, fsc.O_RDONLY).catch(() => undefined);
      offset = 0;
      continue;
    }
    if (!running) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  follower.flush();
  await handle?.close();
}

function wanted(e: LogEntry, opts: LogOptions): boolean {
  return e.stream === 'stdout' ? opts.stdout : opts.stderr;
}

function render(e: LogEntry, opts: LogOptions): Buffer {
  const text = opts.details ? Buffer.concat([Buffer.from(' '), e.text]) : e.text;
  const payload = opts.timestamps ? Buffer.concat([Buffer.from(`${e.time} `), text]) : text;
  return opts.tty ? payload : frame(e.stream === 'stdout' ? 1 : 2, payload);
}

/** Splits conmon's log into entries, joining partial (`P`) records into whole lines. */
class LogParser {
  private rest = Buffer.alloc(0);
  private partial: Buffer[] = [];

  constructor(private readonly emit: (e: LogEntry) => void) {}

  push(data: Buffer): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, data]) : data;
    let nl: number;
    while ((nl = buf.indexOf(10)) >= 0) {
      this.line(buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    this.rest = Buffer.from(buf);
  }

  flush(): void {
    if (this.rest.length) this.line(this.rest);
    this.rest = Buffer.alloc(0);
  }

  private line(raw: Buffer): void {
    const s1 = raw.indexOf(32);
    const s2 = raw.indexOf(32, s1 + 1);
    const s3 = raw.indexOf(32, s2 + 1);
    if (s1 < 0 || s2 < 0) return;
    const stamp = raw.subarray(0, s1).toString();
    const stream = raw.subarray(s1 + 1, s2).toString();
    if (stream !== 'stdout' && stream !== 'stderr') return;
    const tag = s3 < 0 ? raw.subarray(s2 + 1).toString() : raw.subarray(s2 + 1, s3).toString();
    const text = s3 < 0 ? Buffer.alloc(0) : raw.subarray(s3 + 1);
    this.partial.push(text);
    if (tag.split(':').includes('P')) return;
    const { time, epochNs } = parseTimestamp(stamp);
    this.emit({ time, epochNs, stream, text: Buffer.concat([...this.partial, Buffer.from('\n')]) });
    this.partial = [];
  }
}

/** conmon writes local time with an offset; Docker shows UTC in Go's RFC3339Nano. */
export function parseTimestamp(stamp: string): { time: string; epochNs: bigint } {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (!m) return { time: stamp, epochNs: 0n };
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const seconds = BigInt(Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000));
  const epochNs = seconds * 1_000_000_000n + BigInt(fraction);
  return { time: formatRfc3339Nano(epochNs), epochNs };
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped. */
export function formatRfc3339Nano(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  const nanos = epochNs % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${fraction ? '.' + fraction : ''}Z`;
}

/** Nanoseconds since the epoch, now. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}
