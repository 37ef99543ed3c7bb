// Go encoding/json output for JSON-like values.
//
// Differences from JSON.stringify that matter for docker output:
//  - map keys are sorted (Go sorts map keys; struct fields keep their order),
//  - U+2028/U+2029 are always escaped, \b and \f use their short forms
//    (Go 1.22+), and invalid UTF-16 becomes U+FFFD,
//  - with escapeHTML (json.Marshal's default), < > & become \u003c \u003e \u0026.
//    The docker CLI's `json` template function turns this off
//    (SetEscapeHTML(false)); `--format json` on list commands goes through
//    json.Marshal of the row context and so keeps it on.

import { compareKeys, defaultIsStruct, GoFloat, GoNil, isGoInt, isPlainObject } from './gofmt.js';

export interface JSONOptions {
  escapeHTML: boolean;
  /** Objects for which this returns true keep their key order (Go structs); others are sorted (Go maps). */
  isStruct?: (obj: Record<string, unknown>) => boolean;
  /** json.MarshalIndent's indent string; compact output when absent. */
  indent?: string;
}

export class JSONMarshalError extends Error {}

export function goJSONString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x2028: out += '\\u2028'; continue;
      case 0x2029: out += '\\u2029'; continue;
    }
    if (c < 0x20) {
      out += '\\u00' + c.toString(16).padStart(2, '0');
      continue;
    }
    if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) {
      out += '\\u00' + c.toString(16);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd';
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    out += s[i];
  }
  return out + '"';
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new JSONMarshalError(`json: unsupported value: ${n}`);
  if (Object.is(n, -0)) return '-0';
  if (isGoInt(n)) return BigInt(n).toString();
  // Go uses %f for 1e-6 <= |n| < 1e21 and %e (with a 1-digit minimum exponent) otherwise,
  // which is exactly ECMAScript's Number#toString.
  return String(n);
}

export function goJSONMarshal(v: unknown, opts: JSONOptions): string {
  const isStruct = opts.isStruct ?? defaultIsStruct;
  const indent = opts.indent;
  // Newline plus indentation for the given depth (json.Indent style), or nothing when compact.
  const nl = (depth: number): string => (indent === undefined ? '' : '\n' + indent.repeat(depth));
  const colon = indent === undefined ? ':' : ': ';
  const enc = (x: unknown, depth = 0): string => {
    if (x === null || x === undefined) return 'null';
    switch (typeof x) {
      case 'boolean': return x ? 'true' : 'false';
      case 'number': return number(x);
      case 'bigint': return x.toString();
      case 'string': return goJSONString(x, opts.escapeHTML);
      case 'function': throw new JSONMarshalError('json: unsupported type: func');
    }
    if (x instanceof GoFloat) return number(x.value);
    if (x instanceof GoNil) return 'null';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(',') + nl(depth) + ']';
    }
    if (isPlainObject(x)) {
      const maybeToJSON = (x as { toJSON?: () => unknown }).toJSON;
      if (typeof maybeToJSON === 'function') return enc(maybeToJSON.call(x), depth);
      let keys = Object.keys(x).filter((k) => x[k] !== undefined && typeof x[k] !== 'function');
      if (keys.length === 0) return '{}';
      if (!isStruct(x)) keys = keys.sort(compareKeys);
      const members = keys.map((k) => nl(depth + 1) + goJSONString(k, opts.escapeHTML) + colon + enc(x[k], depth + 1));
      return '{' + members.join(',') + nl(depth) + '}';
    }
    if (x instanceof Date) return goJSONString(x.toISOString(), opts.escapeHTML);
    return goJSONString(String(x), opts.escapeHTML);
  };
  return enc(v);
}
