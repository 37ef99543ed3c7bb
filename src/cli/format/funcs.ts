// Template functions: Go's text/template builtins and the docker CLI's
// additions (cli/templates/templates.go).

import {
  FmtOptions, GoFloat, GoNil, goTypeName, isGoInt, isNilValue, isPlainObject, isPrintRune, numericValue, sprint, sprintf,
  sprintln,
} from './gofmt.js';
import { goJSONMarshal, JSONMarshalError } from './gojson.js';

/**
 * Declared parameter types. Go's executor checks arguments against the
 * function's signature and reports mismatches with specific messages; these
 * let us do the same for builtins. User functions given as plain JS
 * functions take any number of 'any' arguments.
 */
export type ParamType = 'any' | 'string' | 'int' | 'bool' | 'stringSlice';

export interface CallContext {
  fmt: FmtOptions;
}

export interface FuncDef {
  params: ParamType[];
  /** Element type of a trailing variadic parameter, if any. */
  variadic?: ParamType;
  fn: (args: unknown[], ctx: CallContext) => unknown;
}

/** A user-supplied function: called with the evaluated arguments. */
export type PlainFunc = (...args: unknown[]) => unknown;

export type FuncMap = Record<string, PlainFunc | FuncDef>;

export function toFuncDef(f: PlainFunc | FuncDef): FuncDef {
  if (typeof f === 'function') return { params: [], variadic: 'any', fn: (args) => f(...args) };
  return f;
}

export function paramTypeName(t: ParamType): string {
  switch (t) {
    case 'any': return 'interface {}';
    case 'string': return 'string';
    case 'int': return 'int';
    case 'bool': return 'bool';
    case 'stringSlice': return '[]string';
  }
}

/** Go's definition of truth used by if/with/and/or/not. */
export function isTrue(v: unknown, fmt: FmtOptions): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean': return v;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
    case 'string': return v.length > 0;
    case 'function': return true;
  }
  if (v instanceof GoFloat) return v.value !== 0;
  if (v instanceof GoNil) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return fmt.isStruct(v) || Object.keys(v).length > 0;
  return true;
}

// --- comparison (funcs.go: eq, lt, ...) ---

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'string': return 'string';
    case 'bigint': return 'int';
    case 'number': return isGoInt(v) ? 'int' : 'float';
  }
  return v instanceof GoFloat ? 'float' : 'invalid';
}

// JSON cannot tell 1 from 1.0, so ints and floats compare with each other
// numerically instead of failing with "incompatible types" as Go would.
function numericKind(k: BasicKind): BasicKind {
  return k === 'float' ? 'int' : k;
}

function eq(args: unknown[], fmt?: FmtOptions): boolean {
  const [a, ...rest] = args;
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = numericKind(basicKind(a));
  for (const b of rest) {
    const k2 = numericKind(basicKind(b));
    let truth = false;
    if (k1 !== k2) {
      // Comparing with a nil/missing value is false, not an error.
      if (!isNilValue(a) && !isNilValue(b)) {
        throw new Error('incompatible types for comparison');
      }
    } else if (k1 === 'invalid') {
      const aNil = isNilValue(a);
      const bNil = isNilValue(b);
      if (aNil || bNil) truth = aNil && bNil;
      else throw new Error(`non-comparable type ${sprint([b], fmt)}: ${goTypeName(b, fmt)}`);
    } else {
      truth = k1 === 'int' ? numericValue(a) === numericValue(b) : a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = numericKind(basicKind(a));
  if (k1 === 'invalid') throw new Error('invalid type for comparison');
  const k2 = numericKind(basicKind(b));
  if (k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
  return numericValue(a)! < numericValue(b)!;
}

// --- indexing ---

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  let x: number;
  if (typeof index === 'number' && isGoInt(index)) x = index;
  else if (typeof index === 'bigint') x = Number(index);
  else throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(args: unknown[]): unknown {
  let [item] = args;
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const idx of args.slice(1)) {
    if (item === undefined || item === null) throw new Error('index of nil pointer');
    // A nil slice has no elements; a nil map has none either (its zero value is returned).
    if (item instanceof GoNil) item = item.kind === 'slice' ? [] : {};
    if (typeof item === 'string') {
      const bytes = Buffer.from(item, 'utf8');
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) throw new Error('reflect: string index out of range');
      item = bytes[x];
    } else if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new Error('reflect: slice index out of range');
      item = item[x];
    } else if (isPlainObject(item)) {
      if (idx === undefined || idx === null) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${goTypeName(idx)}; should be string`);
      if (Object.prototype.hasOwnProperty.call(item, idx)) item = item[idx];
      else {
        // Go returns the zero value of the map's element type. Docker's typed
        // maps are mostly map[string]string (labels, options), whose zero is "".
        const values = Object.values(item);
        item = values.every((v) => typeof v === 'string') ? '' : null;
      }
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function slice(args: unknown[]): unknown {
  const [item, ...indexes] = args;
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (item instanceof GoNil) {
    if (item.kind === 'map') throw new Error(`can't slice item of type ${goTypeName(item)}`);
    return slice([[], ...args.slice(1)]);
  }
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = Buffer.byteLength(item, 'utf8');
  } else if (Array.isArray(item)) len = item.length;
  else throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return (item as unknown[]).slice(idx[0], idx[1]);
}

function length(v: unknown): number {
  if (v === null) throw new Error('len of nil pointer');
  // What Go reports for len of an invalid (missing) value.
  if (v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (v instanceof GoNil) return 0;
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goTypeName(v)}`);
}

// --- escapers (evalArgs + HTMLEscapeString/JSEscapeString/QueryEscape) ---

function evalArgs(args: unknown[], fmt: FmtOptions): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  // printableValue turns invalid/nil interface values into "<no value>".
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)), fmt);
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0': return '\ufffd';
      case '"': return '&#34;';
      case "'": return '&#39;';
      case '&': return '&amp;';
      case '<': return '&lt;';
      default: return '&gt;';
    }
  });
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80) out += ch;
    else if (isPrintRune(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// --- docker's string helpers ---

function isTitleSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  return /^\s$/u.test(ch);
}

/** strings.Title: upper-case the first letter of each word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isTitleSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

/** strings.Split. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

function repeatSpaces(n: number): string {
  if (n < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(n);
}

/** The functions every Go template has (text/template's builtins). */
export function builtinFuncs(): Record<string, FuncDef> {
  return {
    // and/or/call are evaluated specially by the executor (short-circuit, callee name).
    and: { params: ['any'], variadic: 'any', fn: () => undefined },
    or: { params: ['any'], variadic: 'any', fn: () => undefined },
    call: { params: ['any'], variadic: 'any', fn: () => undefined },
    not: { params: ['any'], fn: ([v], ctx) => !isTrue(v, ctx.fmt) },
    len: { params: ['any'], fn: ([v]) => length(v) },
    index: { params: ['any'], variadic: 'any', fn: (args) => index(args) },
    slice: { params: ['any'], variadic: 'any', fn: (args) => slice(args) },
    print: { params: [], variadic: 'any', fn: (args, ctx) => sprint(args, ctx.fmt) },
    printf: { params: ['string'], variadic: 'any', fn: ([f, ...args], ctx) => sprintf(f as string, args, ctx.fmt) },
    println: { params: [], variadic: 'any', fn: (args, ctx) => sprintln(args, ctx.fmt) },
    html: { params: [], variadic: 'any', fn: (args, ctx) => htmlEscape(evalArgs(args, ctx.fmt)) },
    js: { params: [], variadic: 'any', fn: (args, ctx) => jsEscape(evalArgs(args, ctx.fmt)) },
    urlquery: { params: [], variadic: 'any', fn: (args, ctx) => urlQueryEscape(evalArgs(args, ctx.fmt)) },
    eq: { params: ['any'], variadic: 'any', fn: (args, ctx) => eq(args, ctx.fmt) },
    ne: { params: ['any', 'any'], fn: (args, ctx) => !eq(args, ctx.fmt) },
    lt: { params: ['any', 'any'], fn: ([a, b]) => lt(a, b) },
    le: { params: ['any', 'any'], fn: ([a, b]) => lt(a, b) || eq([a, b]) },
    gt: { params: ['any', 'any'], fn: ([a, b]) => !(lt(a, b) || eq([a, b])) },
    ge: { params: ['any', 'any'], fn: ([a, b]) => !lt(a, b) },
  };
}

/** The docker CLI's basicFunctions (templates.Parse adds them to every format). */
export function dockerFuncs(): Record<string, FuncDef> {
  return {
    json: {
      params: ['any'],
      fn: ([v], ctx) => {
        try {
          return goJSONMarshal(v, { escapeHTML: false, isStruct: ctx.fmt.isStruct }).trim();
        } catch (e) {
          // docker ignores the encoder's error and prints whatever it buffered: nothing.
          if (e instanceof JSONMarshalError) return '';
          throw e;
        }
      },
    },
    split: { params: ['string', 'string'], fn: ([s, sep]) => goSplit(s as string, sep as string) },
    join: { params: ['stringSlice', 'string'], fn: ([a, sep]) => (a as string[]).join(sep as string) },
    title: { params: ['string'], fn: ([s]) => goTitle(s as string) },
    lower: { params: ['string'], fn: ([s]) => (s as string).toLowerCase() },
    upper: { params: ['string'], fn: ([s]) => (s as string).toUpperCase() },
    pad: {
      params: ['string', 'int', 'int'],
      fn: ([s, prefix, suffix]) => (s === '' ? '' : repeatSpaces(prefix as number) + s + repeatSpaces(suffix as number)),
    },
    truncate: {
      params: ['string', 'int'],
      fn: ([s, n]) => {
        const bytes = Buffer.from(s as string, 'utf8');
        const len = n as number;
        if (bytes.length < len) return s;
        if (len < 0) throw new Error(`runtime error: slice bounds out of range [:${len}]`);
        return bytes.subarray(0, len).toString('utf8');
      },
    },
  };
}

/**
 * docker's HeaderFunctions: used when rendering a table header, so that a
 * column like {{upper .Name}} is titled NAME rather than transformed. `pad`
 * is deliberately not overridden (it keeps header and column aligned).
 */
export function dockerHeaderFuncs(): Record<string, FuncDef> {
  const identity = (params: ParamType[]): FuncDef => ({ params, fn: ([v]) => v });
  return {
    json: identity(['string']),
    split: identity(['string', 'string']),
    join: identity(['string', 'string']),
    title: identity(['string']),
    lower: identity(['string']),
    upper: identity(['string']),
    truncate: identity(['string', 'int']),
  };
}

export { JSONMarshalError };
