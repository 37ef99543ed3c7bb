// The `--change` instructions of `docker import` and `docker commit`: Dockerfile
// lines (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
// WORKDIR) applied to an image's run config, in JSON or shell form, with the
// Dockerfile's quoting and `$VAR` expansion against the config's Env so far.
import * as path from 'node:path';
import type { ImageRunConfig } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';

const VALID = new Set(['cmd', 'entrypoint', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** Applies each change line to a copy of `config` and returns it. Throws a 400 like dockerd for invalid ones. */
export function applyChanges(config: ImageRunConfig, changes: string[]): ImageRunConfig {
  const out: ImageRunConfig = structuredClone(config);
  for (const raw of changes) {
    for (const line of raw.split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      applyOne(out, trimmed);
    }
  }
  return out;
}

function applyOne(config: ImageRunConfig, line: string): void {
  const m = /^(\S+)\s*(.*)$/s.exec(line)!;
  const instruction = m[1].toLowerCase();
  const rest = m[2];
  if (!VALID.has(instruction)) throw badParameter(`${instruction} is not a valid change command`);
  const env = envMap(config.Env ?? []);
  switch (instruction) {
    case 'cmd':
      config.Cmd = commandForm(rest);
      break;
    case 'entrypoint':
      config.Entrypoint = rest.trim() === '' ? null : commandForm(rest);
      break;
    case 'env':
      for (const [key, value] of keyValues(rest, env, 'ENV')) {
        setEnv(config, key, value);
        env.set(key, value);
      }
      break;
    case 'label':
      config.Labels = { ...(config.Labels ?? {}) };
      for (const [key, value] of keyValues(rest, env, 'LABEL')) config.Labels[key] = value;
      break;
    case 'expose':
      config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
      for (const word of words(rest, env)) for (const port of expandPorts(word)) config.ExposedPorts[port] = {};
      break;
    case 'volume': {
      const list = jsonArray(rest) ?? words(rest, env);
      config.Volumes = { ...(config.Volumes ?? {}) };
      for (const v of list) {
        if (v.trim() === '') throw badParameter('VOLUME specified can not be an empty string');
        config.Volumes[v] = {};
      }
      break;
    }
    case 'workdir': {
      const dir = word(rest, env);
      if (dir === '') throw badParameter('WORKDIR requires exactly one argument');
      config.WorkingDir = path.posix.join('/', dir.startsWith('/') ? '' : config.WorkingDir || '/', dir);
      break;
    }
    case 'user':
      config.User = word(rest, env);
      break;
    case 'stopsignal':
      config.StopSignal = word(rest, env);
      break;
    case 'onbuild': {
      const trigger = /^\S+/.exec(rest)?.[0]?.toUpperCase();
      if (!trigger) throw badParameter('ONBUILD requires at least one argument');
      if (trigger === 'ONBUILD') throw badParameter("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER') throw badParameter(`${trigger} isn't allowed as an ONBUILD trigger`);
      config.OnBuild = [...(config.OnBuild ?? []), rest.trim()];
      break;
    }
  }
}

function envMap(env: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    out.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return out;
}

function setEnv(config: ImageRunConfig, key: string, value: string): void {
  const env = [...(config.Env ?? [])];
  const i = env.findIndex((e) => e === key || e.startsWith(key + '='));
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  config.Env = env;
}

/** JSON form (`["a","b"]`) or shell form (`/bin/sh -c "<rest>"`). */
function commandForm(rest: string): string[] {
  return jsonArray(rest) ?? ['/bin/sh', '-c', rest.trim()];
}

function jsonArray(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    /* not JSON: shell form */
  }
  return undefined;
}

/** `k=v k2="v 2"`, or the legacy `k the rest is the value`. */
function keyValues(rest: string, env: Map<string, string>, name: string): [string, string][] {
  const parts = words(rest, env);
  if (parts.length === 0) throw badParameter(`${name} requires at least one argument`);
  const first = rawWords(rest)[0] ?? '';
  if (!first.includes('=')) {
    // Legacy form: the first word is the key, the rest of the line the value.
    const key = parts[0];
    const value = rest.trim().slice(first.length).trim();
    if (value === '') throw badParameter(`${name} must have two arguments`);
    return [[key, word(value, env)]];
  }
  return parts.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw badParameter(`Syntax error - can't find = in "${p}". Must be of the form: name=value`);
    return [p.slice(0, i), p.slice(i + 1)];
  });
}

/** Splits into shell words without processing them (to inspect the raw form). */
function rawWords(s: string): string[] {
  return s.trim() === '' ? [] : s.trim().split(/\s+/);
}

const word = (s: string, env: Map<string, string>) => words(s.trim(), env, true).join('');

/**
 * The Dockerfile's word processing: whitespace splits words (unless `single`),
 * quotes group and are removed, backslash escapes, `$VAR`/`${VAR}`/`${VAR:-x}`/
 * `${VAR:+x}` expand (not inside single quotes).
 */
function words(s: string, env: Map<string, string>, single = false): string[] {
  const out: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  const expand = (): string => {
    // s[i] === '$'
    i++;
    if (s[i] === '{') {
      const end = s.indexOf('}', i);
      if (end < 0) throw badParameter(`missing '}' in ${s}`);
      const body = s.slice(i + 1, end);
      i = end + 1;
      const m = /^(\w+)(?::([-+])(.*))?$/s.exec(body);
      if (!m) throw badParameter(`bad substitution: \${${body}}`);
      const value = env.get(m[1]);
      if (m[2] === '-') return value ? value : m[3];
      if (m[2] === '+') return value ? m[3] : '';
      return value ?? '';
    }
    const m = /^\w+/.exec(s.slice(i));
    if (!m) return '$';
    i += m[0].length;
    return env.get(m[0]) ?? '';
  };
  while (i < s.length) {
    const c = s[i];
    if (!single && /\s/.test(c)) {
      if (inWord) out.push(current);
      current = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw badParameter(`unexpected end of statement while looking for matching single-quote`);
      current += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$'.includes(s[i + 1])) {
          current += s[i + 1];
          i += 2;
        } else if (s[i] === '$') current += expand();
        else current += s[i++];
      }
      if (i >= s.length) throw badParameter(`unexpected end of statement while looking for matching double-quote`);
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      current += s[i + 1];
      i += 2;
    } else if (c === '$') {
      current += expand();
    } else {
      current += c;
      i++;
    }
  }
  if (inWord) out.push(current);
  return out;
}

/** "80" → 80/tcp, "90/udp", "8000-8002" → three ports. */
function expandPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw badParameter(`Invalid containerPort: ${spec}`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (end < start || end > 65535) throw badParameter(`Invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
