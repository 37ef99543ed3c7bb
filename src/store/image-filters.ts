// The matching rules of image filters and removal, as dockerd applies them:
// label and reference filters, `until` times, and what counts as a single reference.
import { badParameter } from '../common/errors.js';
import { familiarName, familiarString, type ImageRef } from './image-reference.js';

/** dockerd's isSingleReference: all references in one repository, with at most one tag. */
export function isSingleReference(refs: ImageRef[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tagged = refs.filter((r) => !r.digest);
  if (tagged.length > 1) return false;
  const single = tagged[0] ?? refs[0];
  const digestRepos = new Set(refs.filter((r) => r.digest).map((r) => familiarName(r)));
  return digestRepos.size === 1 && digestRepos.has(familiarName(single));
}

export function matchLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const i = f.indexOf('=');
    if (i < 0) return f in labels;
    return labels[f.slice(0, i)] === f.slice(i + 1);
  });
}

/** docker's reference filter: a glob on the familiar name, or on name:tag when the pattern has a tag. */
export function matchReference(pattern: string, ref: ImageRef): boolean {
  const re = globToRegExp(pattern);
  return re.test(familiarString(ref)) || re.test(familiarName(ref));
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (const c of glob) {
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** `until` filter values: a unix timestamp, an RFC3339 date or a duration ("24h", "10m"). */
export function parseUntil(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const d = /^(\d+)(h|m|s)$/.exec(value);
  if (d) return Date.now() / 1000 - Number(d[1]) * { h: 3600, m: 60, s: 1 }[d[2] as 'h' | 'm' | 's'];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badParameter(`Invalid filter 'until=${value}'`);
  return t / 1000;
}
