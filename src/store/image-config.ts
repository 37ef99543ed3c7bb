// Image config JSON in docker's exact shape. The bytes matter: the image id is
// their sha256. Like dockerd we write the top-level keys in sorted order and the
// run config (`config`, `container_config`) in the field order of docker's Go struct,
// with its zero values present, so identical inputs give identical ids.
import type { ImageConfigFile, ImageRunConfig } from '../api/types.js';

export const DOCKER_VERSION = '20.10.24+berth';

/** [field, zero value or undefined when Go's `omitempty` drops it] in docker's order. */
const RUN_CONFIG_FIELDS: [keyof ImageRunConfig | 'NetworkDisabled' | 'MacAddress', unknown][] = [
  ['Hostname', ''],
  ['Domainname', ''],
  ['User', ''],
  ['AttachStdin', false],
  ['AttachStdout', false],
  ['AttachStderr', false],
  ['ExposedPorts', undefined],
  ['Tty', false],
  ['OpenStdin', false],
  ['StdinOnce', false],
  ['Env', null],
  ['Cmd', null],
  ['Healthcheck', undefined],
  ['ArgsEscaped', undefined],
  ['Image', ''],
  ['Volumes', null],
  ['WorkingDir', ''],
  ['Entrypoint', null],
  ['NetworkDisabled', undefined],
  ['MacAddress', undefined],
  ['OnBuild', null],
  ['Labels', null],
  ['StopSignal', undefined],
  ['StopTimeout', undefined],
  ['Shell', undefined],
];

/** A run config with docker's field order and defaults (unknown extra fields kept at the end). */
export function normalizeRunConfig(config: ImageRunConfig | undefined): ImageRunConfig {
  const src = (config ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, zero] of RUN_CONFIG_FIELDS) {
    let value = src[key];
    if (value === undefined || ((zero === undefined) && isEmpty(value))) value = zero;
    if (value !== undefined) out[key] = value;
  }
  for (const [key, value] of Object.entries(src)) {
    if (!(key in out) && !RUN_CONFIG_FIELDS.some(([k]) => k === key) && value !== undefined) out[key] = value;
  }
  return out as ImageRunConfig;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === false || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** The config's bytes: sorted top-level keys, docker-shaped run configs. */
export function serializeImageConfig(cfg: ImageConfigFile): Buffer {
  const obj: Record<string, unknown> = { ...cfg };
  if (obj.config !== undefined) obj.config = normalizeRunConfig(cfg.config);
  if (obj.container_config !== undefined) obj.container_config = normalizeRunConfig(cfg.container_config);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) sorted[key] = obj[key];
  return Buffer.from(JSON.stringify(sorted));
}

let lastNs = 0n;

/** Now, as Go's RFC3339Nano: nanosecond digits with trailing zeros trimmed. */
export function rfc3339Nano(date?: Date): string {
  let ns: bigint;
  if (date) ns = BigInt(date.getTime()) * 1_000_000n;
  else {
    ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (ns <= lastNs) ns = lastNs + 1n; // strictly increasing, so `since`/`before` orderings hold
    lastNs = ns;
  }
  const ms = Number(ns / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? '.' + frac : ''}Z`;
}

/** Parses RFC3339(Nano) into {seconds, nanos} (Date would lose the nanoseconds). */
export function parseTime(s: string | undefined): { unix: number; nanos: bigint } {
  if (!s) return { unix: 0, nanos: 0n };
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : s);
  if (Number.isNaN(ms)) return { unix: 0, nanos: 0n };
  const frac = m?.[2] ? BigInt(m[2].padEnd(9, '0').slice(0, 9)) : 0n;
  const unix = Math.floor(ms / 1000);
  return { unix, nanos: BigInt(unix) * 1_000_000_000n + frac };
}
