// Emulation of Go's fmt package (Sprint, Sprintln, Sprintf and %v value
// printing) over JSON-like JavaScript values.
//
// Value model (shared with the template engine):
//   undefined          Go's invalid reflect.Value (a missing map key)
//   null               nil
//   string, boolean    string, bool
//   number             int when integral (and within int64), else float64
//   bigint             int64/uint64
//   array              []interface {}
//   plain object       map[string]interface {}, or a struct when
//                      FmtOptions.isStruct says so (see defaultIsStruct)
//
// JSON erases the difference between Go structs and maps, and between ints
// and floats; the choices above reproduce what the docker CLI prints for
// the data it usually formats (inspect output, list contexts).

export interface FmtOptions {
  /** Decides whether an object prints like a Go struct ({a b}) or a map (map[k:v]). */
  isStruct: (obj: Record<string, unknown>) => boolean;
  /** Kind of a null field, by name, when printing structs: nil slices print [] and nil maps map[]. */
  fieldKinds?: FieldKinds;
  /** Values are decoded JSON: type names are the plain []interface {} / map[string]interface {}. */
  rawJSON?: boolean;
}

/**
 * Heuristic: docker's API structs serialize with exported (capitalized)
 * field names, while maps (labels, options, networks, ports) have arbitrary
 * keys. An object with at least two keys that all look like exported Go
 * identifiers, not all of them holding strings, is treated as a struct;
 * everything else is a map.
 */
export function defaultIsStruct(obj: Record<string, unknown>): boolean {
  const keys = Object.keys(obj);
  if (keys.length < 2 || !keys.every((k) => /^[A-Z][A-Za-z0-9_]*$/.test(k))) return false;
  // map[string]string is far more common than an all-string struct (e.g. GraphDriver.Data).
  return !keys.every((k) => typeof obj[k] === 'string');
}

/** Treat every object as a map: the plain reading of JSON. */
export function neverStruct(): boolean {
  return false;
}

export const defaultFmtOptions: FmtOptions = { isStruct: defaultIsStruct };

/**
 * A float64 with an integral value, e.g. from the template literal 1.0 or
 * 1e6. Plain integral JS numbers read as Go ints, but Go prints these as
 * floats (1e+06) and printf's %g/%f accept them, so literals keep the type.
 */
export class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * A typed nil slice or map. JSON writes these as null, but Go prints them as
 * [] and map[] (not <nil>), e.g. {{.Config.Entrypoint}} prints []. Produced
 * by the template engine for null or omitted fields whose kind is known (fieldKinds).
 */
export class GoNil {
  constructor(readonly kind: 'slice' | 'map') {}
}

/** Go kind of a field, by name, for fields whose JSON form loses the type (null or omitted). */
export type FieldKind = 'slice' | 'map' | 'pointer' | 'string' | 'bool' | 'int';
export type FieldKinds = (key: string) => FieldKind | undefined;

/** The Go zero value of a field kind in our value model. */
export function zeroValue(kind: FieldKind): unknown {
  switch (kind) {
    case 'slice':
    case 'map':
      return new GoNil(kind);
    case 'pointer': return null;
    case 'string': return '';
    case 'bool': return false;
    case 'int': return 0;
  }
}

/** Objects that stand for Go maps or structs (not arrays, boxed floats or typed nils). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat) && !(v instanceof GoNil);
}

/** nil in any form: missing, JSON null, or a typed nil slice/map. */
export function isNilValue(v: unknown): boolean {
  return v === undefined || v === null || v instanceof GoNil;
}

/** The numeric value of a number, bigint or GoFloat; undefined otherwise. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof GoFloat) return v.value;
  return undefined;
}

const INT64_LIMIT = 2 ** 63;

/** Whether a JS number stands for a Go int (as opposed to a float64). */
export function isGoInt(v: number): boolean {
  return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT;
}

/** Go's reflect.Type.String() for our value model. */
export function goTypeName(v: unknown, opts: FmtOptions = defaultFmtOptions): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    // docker's raw-JSON fallback decodes numbers as json.Number.
    case 'number': return opts.rawJSON ? 'json.Number' : isGoInt(v) ? 'int' : 'float64';
    case 'bigint': return 'int64';
    case 'function': return 'func(...interface {}) interface {}';
  }
  if (v instanceof GoFloat) return 'float64';
  if (v instanceof GoNil) return v.kind === 'slice' ? '[]interface {}' : 'map[string]interface {}';
  // Docker's typed data mostly has []string and map[string]string where
  // JSON only shows arrays and objects of strings.
  if (Array.isArray(v)) {
    return !opts.rawJSON && v.length > 0 && v.every((e) => typeof e === 'string') ? '[]string' : '[]interface {}';
  }
  if (isPlainObject(v)) {
    if (opts.rawJSON) return 'map[string]interface {}';
    if (opts.isStruct(v)) return 'struct';
    const vals = Object.values(v);
    return vals.length > 0 && vals.every((e) => typeof e === 'string') ? 'map[string]string' : 'map[string]interface {}';
  }
  return 'interface {}';
}

// ---------------------------------------------------------------------------
// Unicode helpers

/** Approximation of Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrintRune(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return false;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

function* runes(s: string): Generator<number> {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        yield ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    // Lone surrogates cannot exist in Go strings; they read as U+FFFD.
    yield c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
  }
}

export function runeCount(s: string): number {
  let n = 0;
  for (const _ of runes(s)) n++;
  return n;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return '\\' + String.fromCodePoint(r);
  if (asciiOnly ? r < 0x80 && isPrintRune(r) : isPrintRune(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

/** strconv.Quote (or QuoteToASCII when asciiOnly). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const r of runes(s)) out += escapeRune(r, 0x22, asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune. */
function goQuoteRune(r: number, asciiOnly: boolean): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

/** strconv.CanBackquote. */
function canBackquote(s: string): boolean {
  for (const r of runes(s)) {
    if (r === 0xfeff || r === 0x60) return false;
    if ((r < 0x20 && r !== 0x09) || r === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Float formatting (strconv.FormatFloat), with exact decimal rounding so that
// ties round to even exactly like Go (JS toFixed rounds ties away from zero).

interface Decimal {
  d: string; // significant digits, no leading/trailing zeros ('' for zero)
  dp: number; // decimal point position: value = 0.d * 10^dp
}

/** Exact decimal expansion of a finite positive double. */
function exactDecimal(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    // mant * 2^e == mant * 5^-e / 10^-e
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Shortest digits that round-trip; JS and Go agree on these. */
function shortestDecimal(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const [mant, exp] = a.toExponential().split('e');
  const d = mant.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exp) + 1 };
}

/** Round to nd significant digits, half to even (Go's decimal.Round on an exact value). */
function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= x.d.length) return x;
  let up: boolean;
  if (x.d[nd] === '5' && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = x.d[nd] >= '5';
  if (!up) return { d: x.d.slice(0, nd).replace(/0+$/, ''), dp: x.dp };
  let i = nd - 1;
  while (i >= 0 && x.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

function fmtE(neg: boolean, x: Decimal, prec: number, fmtChar: string): string {
  let s = neg ? '-' : '';
  s += x.d.length === 0 ? '0' : x.d[0];
  if (prec > 0) {
    s += '.';
    let i = 1;
    const m = Math.min(x.d.length, prec + 1);
    if (i < m) {
      s += x.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) s += '0';
  }
  s += fmtChar;
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  return s + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, x: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    s += x.d.slice(0, m) + '0'.repeat(x.dp - m);
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f F g G. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  let x: Decimal;
  if (shortest) {
    x = shortestDecimal(a);
    switch (fmt) {
      case 'e': case 'E': prec = Math.max(x.d.length - 1, 0); break;
      case 'f': case 'F': prec = Math.max(x.d.length - x.dp, 0); break;
      case 'g': case 'G': prec = x.d.length; break;
    }
  } else {
    x = exactDecimal(a);
    switch (fmt) {
      case 'e': case 'E': x = roundDecimal(x, prec + 1); break;
      case 'f': case 'F': x = roundDecimal(x, x.dp + prec); break;
      case 'g': case 'G':
        if (prec === 0) prec = 1;
        x = roundDecimal(x, prec);
        break;
    }
  }
  switch (fmt) {
    case 'e': case 'E': return fmtE(neg, x, prec, fmt);
    case 'f': case 'F': return fmtF(neg, x, prec);
  }
  // %g: %e for large and small exponents, %f otherwise.
  let eprec = prec;
  if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  if (shortest) eprec = 6;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > x.d.length) prec = x.d.length;
    return fmtE(neg, x, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > x.dp) prec = x.d.length;
  return fmtF(neg, x, Math.max(prec - x.dp, 0));
}

// ---------------------------------------------------------------------------
// The printer (Go's pp + fmt structs)

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  widPresent: boolean;
  precPresent: boolean;
  wid: number;
  prec: number;
}

function clearFlags(): Flags {
  return {
    plus: false, minus: false, sharp: false, space: false, zero: false,
    plusV: false, sharpV: false, widPresent: false, precPresent: false, wid: 0, prec: 0,
  };
}

class Printer {
  buf = '';
  f: Flags = clearFlags();

  constructor(private readonly opts: FmtOptions) {}

  // --- padding (fmt.pad / writePadding) ---

  private padding(n: number): string {
    if (n <= 0) return '';
    return (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) this.buf += this.padding(width) + s;
    else this.buf += s + this.padding(width);
  }

  // --- basic kinds ---

  private fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
    else this.badVerb(verb, v);
  }

  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    let out = '';
    let n = 0;
    for (const r of runes(s)) {
      if (n++ >= this.f.prec) break;
      out += String.fromCodePoint(r);
    }
    return out;
  }

  private fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(v);
        else this.pad(this.truncate(v));
        return;
      case 's': this.pad(this.truncate(v)); return;
      case 'x': this.fmtSx(Buffer.from(v, 'utf8'), '0123456789abcdefx'); return;
      case 'X': this.fmtSx(Buffer.from(v, 'utf8'), '0123456789ABCDEFX'); return;
      case 'q': this.fmtQ(v); return;
      default: this.badVerb(verb, v);
    }
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(goQuote(s, this.f.plus));
  }

  private fmtSx(b: Uint8Array, digits: string): void {
    let length = b.length;
    if (this.f.precPresent && this.f.prec < length) length = this.f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.f.space) {
        if (this.f.sharp) width *= 2;
        width += length - 1;
      } else if (this.f.sharp) width += 2;
    } else {
      if (this.f.widPresent) this.buf += this.padding(this.f.wid);
      return;
    }
    if (this.f.widPresent && this.f.wid > width && !this.f.minus) this.buf += this.padding(this.f.wid - width);
    let out = this.f.sharp ? '0' + digits[16] : '';
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        out += ' ';
        if (this.f.sharp) out += '0' + digits[16];
      }
      out += digits[b[i] >> 4] + digits[b[i] & 0xf];
    }
    this.buf += out;
    if (this.f.widPresent && this.f.wid > width && this.f.minus) this.buf += this.padding(this.f.wid - width);
  }

  private fmtInteger(v: bigint, verb: string): void {
    switch (verb) {
      case 'v':
      case 'd': this.fmtIntBase(v, 10, verb, '0123456789abcdefx'); return;
      case 'b': this.fmtIntBase(v, 2, verb, '0123456789abcdefx'); return;
      case 'o':
      case 'O': this.fmtIntBase(v, 8, verb, '0123456789abcdefx'); return;
      case 'x': this.fmtIntBase(v, 16, verb, '0123456789abcdefx'); return;
      case 'X': this.fmtIntBase(v, 16, verb, '0123456789ABCDEFX'); return;
      case 'c': this.pad(String.fromCodePoint(validRune(v))); return;
      case 'q': this.pad(goQuoteRune(validRune(v), this.f.plus)); return;
      case 'U': this.fmtUnicode(v); return;
      default: this.badVerb(verb, Number(v));
    }
  }

  private fmtIntBase(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      // Precision 0 and value 0 means "print nothing" but padding.
      if (prec === 0 && u === 0n) {
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.buf += this.padding(this.f.wid);
        this.f.zero = oldZero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--; // leave room for the sign
    }
    let s = u.toString(base);
    if (digits[10] === 'A') s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.f.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.f.plus) s = '+' + s;
    else if (this.f.space) s = ' ' + s;
    // Zero padding was handled as precision above.
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  private fmtUnicode(v: bigint): void {
    let s = 'U+' + (v < 0n ? BigInt.asUintN(64, v) : v).toString(16).toUpperCase();
    const minDigits = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    const digits = s.slice(2);
    if (digits.length < minDigits) s = 'U+' + '0'.repeat(minDigits - digits.length) + digits;
    if (this.f.sharp && v >= 0n && v <= 0x10ffffn && isPrintRune(Number(v))) {
      s += " '" + String.fromCodePoint(Number(v)) + "'";
    }
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  private fmtFloat(v: number, verb: string): void {
    let fmtChar: string;
    let prec: number;
    switch (verb) {
      case 'v': fmtChar = 'g'; prec = -1; break;
      case 'g': case 'G': fmtChar = verb; prec = -1; break;
      case 'e': case 'E': case 'f': case 'F': fmtChar = verb; prec = 6; break;
      // %b and %x of floats (binary/hex mantissa) are not emulated; print as %g.
      case 'b': case 'x': case 'X': fmtChar = 'g'; prec = -1; break;
      default:
        this.badVerb(verb, v);
        return;
    }
    if (this.f.precPresent) prec = this.f.prec;
    let num = formatFloat(v, fmtChar, prec);
    if (this.f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    num = num[0] === '-' || num[0] === '+' ? num : '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.f.zero;
      this.f.zero = false;
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = oldZero;
      return;
    }
    if (this.f.plus || num[0] !== '+') {
      // Zero padding goes between the sign and the digits.
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0] + '0'.repeat(this.f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // --- composite values ---

  badVerb(verb: string, value: unknown): void {
    this.buf += '%!' + verb + '(';
    if (value === null || value === undefined) this.buf += '<nil>';
    else {
      this.buf += goTypeName(value, this.opts) + '=';
      this.printValue(value, 'v', 0);
    }
    this.buf += ')';
  }

  /** fmt's printArg: a top-level operand. */
  printArg(arg: unknown, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtStringPlain(goTypeName(arg, this.opts));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private fmtStringPlain(s: string): void {
    this.pad(this.truncate(s));
  }

  printValue(v: unknown, verb: string, depth: number): void {
    if (v === null || v === undefined) {
      // A nil element inside a slice/map/struct.
      if (depth === 0) this.printArg(v, verb);
      else this.pad('<nil>');
      return;
    }
    switch (typeof v) {
      case 'boolean': this.fmtBool(v, verb); return;
      case 'string': this.fmtString(v, verb); return;
      case 'bigint': this.fmtInteger(v, verb); return;
      case 'number':
        if (isGoInt(v)) this.fmtInteger(BigInt(v), verb);
        else this.fmtFloat(v, verb);
        return;
      case 'function':
        // Go prints func values as an address; there is no meaningful equivalent.
        this.pad('<func>');
        return;
    }
    if (v instanceof GoFloat) {
      this.fmtFloat(v.value, verb);
      return;
    }
    if (v instanceof GoNil) {
      this.buf += v.kind === 'slice' ? '[]' : 'map[]';
      return;
    }
    if (Array.isArray(v)) {
      if (this.f.sharpV) {
        this.buf += '[]interface {}{';
        v.forEach((e, i) => {
          if (i > 0) this.buf += ', ';
          this.printValue(e, verb, depth + 1);
        });
        this.buf += '}';
        return;
      }
      this.buf += '[';
      v.forEach((e, i) => {
        if (i > 0) this.buf += ' ';
        this.printValue(e, verb, depth + 1);
      });
      this.buf += ']';
      return;
    }
    if (isPlainObject(v)) {
      if (this.opts.isStruct(v)) {
        this.buf += '{';
        Object.keys(v).forEach((k, i) => {
          if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
          if (this.f.plusV || this.f.sharpV) this.buf += k + ':';
          this.printValue(typedNull(v[k], k, this.opts), verb, depth + 1);
        });
        this.buf += '}';
        return;
      }
      const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(compareKeys);
      this.buf += this.f.sharpV ? 'map[string]interface {}{' : 'map[';
      keys.forEach((k, i) => {
        if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
        this.printValue(k, verb, depth + 1);
        this.buf += ':';
        this.printValue(v[k], verb, depth + 1);
      });
      this.buf += this.f.sharpV ? '}' : ']';
      return;
    }
    // Anything else (Date, Map, class instances): print its string form.
    this.fmtString(String(v), verb === 'v' || verb === 's' ? verb : 's');
  }

  // --- Printf driver (fmt.doPrintf) ---

  doPrintf(format: string, a: unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    let reordered = false;
    let goodArgNum = true;

    const argNumber = (i: number): [number, number, boolean] => {
      if (i >= end || format[i] !== '[') return [argNum, i, false];
      reordered = true;
      const close = format.indexOf(']', i + 1);
      if (close < 0 || end - i < 3) {
        goodArgNum = false;
        return [argNum, i + 1, false];
      }
      const num = format.slice(i + 1, close);
      if (!/^\d+$/.test(num)) {
        goodArgNum = false;
        return [argNum, close + 1, false];
      }
      const index = Number(num) - 1;
      if (index >= 0 && index < a.length) return [index, close + 1, true];
      goodArgNum = false;
      return [argNum, close + 1, true];
    };
    const parseNum = (i: number): [number, boolean, number] => {
      let n = 0;
      let found = false;
      while (i < end && format[i] >= '0' && format[i] <= '9') {
        n = n * 10 + (format.charCodeAt(i) - 48);
        if (n > 1e6) return [0, false, end]; // Go: absurdly large -> treated as no number
        found = true;
        i++;
      }
      return [n, found, i];
    };
    const intFromArg = (): [number, boolean] => {
      if (argNum >= a.length) return [0, false];
      const v = a[argNum++];
      if (typeof v === 'number' && isGoInt(v) && Math.abs(v) <= 1e6) return [v, true];
      return [0, false];
    };

    let i = 0;
    formatLoop: while (i < end) {
      goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++; // skip %
      this.f = clearFlags();
      simple: for (; i < end; i++) {
        const c = format[i];
        switch (c) {
          case '#': this.f.sharp = true; break;
          case '0': this.f.zero = true; break;
          case '+': this.f.plus = true; break;
          case '-': this.f.minus = true; break;
          case ' ': this.f.space = true; break;
          default:
            // Fast path: flags followed directly by a lower-case verb.
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') {
                this.f.sharpV = this.f.sharp;
                this.f.sharp = false;
                this.f.plusV = this.f.plus;
                this.f.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }

      [argNum, i, afterIndex] = argNumber(i);

      if (i < end && format[i] === '*') {
        i++;
        [this.f.wid, this.f.widPresent] = intFromArg();
        if (!this.f.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.f.wid < 0) {
          this.f.wid = -this.f.wid;
          this.f.minus = true;
          this.f.zero = false;
        }
        afterIndex = false;
      } else {
        [this.f.wid, this.f.widPresent, i] = parseNum(i);
        if (afterIndex && this.f.widPresent) goodArgNum = false;
      }

      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) goodArgNum = false;
        [argNum, i, afterIndex] = argNumber(i);
        if (i < end && format[i] === '*') {
          i++;
          [this.f.prec, this.f.precPresent] = intFromArg();
          if (this.f.prec < 0) {
            this.f.prec = 0;
            this.f.precPresent = false;
          }
          if (!this.f.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.f.prec, this.f.precPresent, i] = parseNum(i);
          if (!this.f.precPresent) {
            this.f.prec = 0;
            this.f.precPresent = true;
          }
        }
      }

      if (!afterIndex) [argNum, i, afterIndex] = argNumber(i);

      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;

      if (verb === '%') this.buf += '%';
      else if (!goodArgNum) this.buf += '%!' + verb + '(BADINDEX)';
      else if (argNum >= a.length) this.buf += '%!' + verb + '(MISSING)';
      else {
        if (verb === 'v') {
          this.f.sharpV = this.f.sharp;
          this.f.sharp = false;
          this.f.plusV = this.f.plus;
          this.f.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }

    if (!reordered && argNum < a.length) {
      this.f = clearFlags();
      this.buf += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf += ', ';
        if (arg === null || arg === undefined) this.buf += '<nil>';
        else {
          this.buf += goTypeName(arg, this.opts) + '=';
          this.printArg(arg, 'v');
        }
      });
      this.buf += ')';
    }
  }
}

/** Go's %#g-style adjustments are rarely used; keep the number as is except forcing a decimal point. */
function sharpFloat(num: string, verb: string, _prec: number): string {
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'f' || verb === 'F' || verb === 'e' || verb === 'E') {
    const m = /^([+-]?)(\d+)(\.\d*)?([eE].*)?$/.exec(num);
    if (m && !m[3]) return m[1] + m[2] + '.' + (m[4] ?? '');
  }
  return num;
}

/** A struct field's null as the typed nil its key suggests, if known. */
export function typedNull(v: unknown, key: string, opts: FmtOptions): unknown {
  if (v !== null || !opts.fieldKinds) return v;
  const kind = opts.fieldKinds(key);
  return kind === 'slice' || kind === 'map' ? new GoNil(kind) : v;
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn) return 0xfffd;
  const n = Number(v);
  return n >= 0xd800 && n <= 0xdfff ? 0xfffd : n;
}

/** Map keys sort by Go's string order (bytewise); UTF-16 order matches except for astral characters. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// ---------------------------------------------------------------------------
// Public entry points

export function sprint(args: unknown[], opts: FmtOptions = defaultFmtOptions): string {
  const p = new Printer(opts);
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

export function sprintln(args: unknown[], opts: FmtOptions = defaultFmtOptions): string {
  const p = new Printer(opts);
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

export function sprintf(format: string, args: unknown[], opts: FmtOptions = defaultFmtOptions): string {
  const p = new Printer(opts);
  p.doPrintf(format, args);
  return p.buf;
}

/** fmt.Sprint of a single value: what {{.X}} prints for a present value. */
export function formatValue(v: unknown, opts: FmtOptions = defaultFmtOptions): string {
  return sprint([v], opts);
}
