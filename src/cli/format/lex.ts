// Lexer for Go text/template syntax.
//
// This follows the state machine of Go's text/template/parse/lex.go (Go 1.22+)
// closely, because the docker CLI's behaviour - including its error messages
// and which inputs are rejected - falls out of those exact rules: trim
// markers need a following/preceding ASCII space, newlines are allowed inside
// actions, a comment must directly follow the left delimiter, and so on.

export enum Item {
  Error,
  Bool,
  Char, // printable ASCII character; grab bag for comma etc.
  CharConstant,
  Complex,
  Assign, // '='
  Declare, // ':='
  EOF,
  Field, // .Alphanumeric
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // Keywords come after this marker, as in Go (item.String() relies on it).
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

const keywords: Record<string, Item> = {
  '.': Item.Dot,
  block: Item.Block,
  break: Item.Break,
  continue: Item.Continue,
  define: Item.Define,
  else: Item.Else,
  end: Item.End,
  if: Item.If,
  range: Item.Range,
  nil: Item.Nil,
  template: Item.Template,
  with: Item.With,
};

export interface Token {
  typ: Item;
  pos: number; // offset in the input (UTF-16 units; converted to bytes for messages)
  val: string;
  line: number;
}

/** Render a token the way Go's item.String() does, for "unexpected X" errors. */
export function tokenString(t: Token): string {
  if (t.typ === Item.EOF) return 'EOF';
  if (t.typ === Item.Error) return t.val;
  if (t.typ > Item.Keyword) return `<${t.val}>`;
  // Go: %.10q... - quote the first 10 runes only.
  const runes = Array.from(t.val);
  if (runes.length > 10) return goQuoteSimple(runes.slice(0, 10).join('')) + '...';
  return goQuoteSimple(t.val);
}

// A light strconv.Quote for token text (which is almost always ASCII).
function goQuoteSimple(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\t': out += '\\t'; break;
      case '\r': out += '\\r'; break;
      default: out += ch;
    }
  }
  return out + '"';
}

const EOF = '';
const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const SPACE_CHARS = ' \t\r\n';
const TRIM_MARKER_LEN = 2; // "-" plus one space

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

export function isAlphaNumeric(c: string): boolean {
  return c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);
}

function hasLeftTrimMarker(s: string): boolean {
  return s.length >= 2 && s[0] === '-' && isSpace(s[1]);
}

function hasRightTrimMarker(s: string): boolean {
  return s.length >= 2 && isSpace(s[0]) && s[1] === '-';
}

function rightTrimLength(s: string): number {
  let i = s.length;
  while (i > 0 && SPACE_CHARS.includes(s[i - 1])) i--;
  return s.length - i;
}

function leftTrimLength(s: string): number {
  let i = 0;
  while (i < s.length && SPACE_CHARS.includes(s[i])) i++;
  return i;
}

type StateFn = ((l: Lexer) => StateFn) | null;

export interface LexOptions {
  // Go only treats break/continue as keywords when no function of that name exists.
  breakOK: boolean;
  continueOK: boolean;
}

/**
 * Tokenizes a whole template eagerly. Go runs the lexer as a coroutine, but
 * the lexer never depends on parser state, so collecting all tokens up front
 * yields the same sequence (it stops after the first error token).
 */
export class Lexer {
  // State shared with the state functions below, named as in Go's lexer.
  pos = 0; // current position in the input
  start = 0; // start position of the current item
  line = 1; // 1 + number of newlines seen
  parenDepth = 0; // nesting depth of ( ) in an action
  inAction = false; // between {{ and }}
  private width = 0; // width of the last rune read
  private startLine = 1;
  private readonly items: Token[] = [];

  constructor(readonly input: string, readonly options: LexOptions) {}

  tokens(): Token[] {
    let state: StateFn = lexText;
    while (state) state = state(this);
    return this.items;
  }

  // --- primitives (mirroring Go's lexer methods) ---

  next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.width = ch.length;
    this.pos += this.width;
    if (ch === '\n') this.line++;
    return ch;
  }

  peek(): string {
    const c = this.next();
    this.backup();
    return c;
  }

  backup(): void {
    if (this.width === 0) return;
    this.pos -= this.width;
    if (this.width === 1 && this.input[this.pos] === '\n') this.line--;
  }

  emit(t: Item): StateFn {
    this.items.push({ typ: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
    return lexInsideOrText(this);
  }

  /** Emit a token and continue with the given state. */
  emitThen(t: Item, next: StateFn): StateFn {
    this.items.push({ typ: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
    return next;
  }

  ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const c = this.next();
    if (c !== EOF && valid.includes(c)) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const c = this.next();
      if (c === EOF || !valid.includes(c)) break;
    }
    this.backup();
  }

  errorf(msg: string): StateFn {
    this.items.push({ typ: Item.Error, pos: this.start, val: msg, line: this.startLine });
    return null;
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (r === EOF || isSpace(r)) return true;
    if ('.,|:)('.includes(r)) return true;
    // Go 1.22+ requires the whole right delimiter here, so "{{.X}" is a bad character.
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    const rest = this.input.slice(this.pos);
    if (hasRightTrimMarker(rest) && rest.startsWith(RIGHT_DELIM, TRIM_MARKER_LEN)) {
      return { delim: true, trimSpaces: true };
    }
    if (rest.startsWith(RIGHT_DELIM)) return { delim: true, trimSpaces: false };
    return { delim: false, trimSpaces: false };
  }

}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

// After emitting, Go's state functions return explicitly; our emit() helper
// picks the natural follow-up state from whether we are inside an action.
function lexInsideOrText(l: Lexer): StateFn {
  return l.inAction ? lexInsideAction : lexText;
}

function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      // Trim trailing space from the text if the action starts with "{{- ".
      let trimLength = 0;
      if (hasLeftTrimMarker(l.input.slice(x + LEFT_DELIM.length))) {
        trimLength = rightTrimLength(l.input.slice(l.start, l.pos));
      }
      l.pos -= trimLength;
      l.line += countNewlines(l.input.slice(l.start, l.pos));
      const hasText = l.pos > l.start;
      if (hasText) l.emitThen(Item.Text, null);
      l.pos += trimLength;
      l.ignore();
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) {
    l.line += countNewlines(l.input.slice(l.start, l.pos));
    l.emitThen(Item.Text, null);
  }
  return l.emitThen(Item.EOF, null);
}

function lexLeftDelim(l: Lexer): StateFn {
  l.pos += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input.slice(l.pos));
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emitThen(Item.LeftDelim, null);
  l.inAction = true;
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn {
  l.pos += LEFT_COMMENT.length;
  const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + RIGHT_COMMENT.length;
  const { delim, trimSpaces } = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  if (trimSpaces) l.pos += TRIM_MARKER_LEN;
  l.pos += RIGHT_DELIM.length;
  if (trimSpaces) l.pos += leftTrimLength(l.input.slice(l.pos));
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn {
  const { trimSpaces } = l.atRightDelim();
  if (trimSpaces) {
    l.pos += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.pos += RIGHT_DELIM.length;
  l.emitThen(Item.RightDelim, null);
  if (trimSpaces) {
    l.pos += leftTrimLength(l.input.slice(l.pos));
    l.ignore();
  }
  l.inAction = false;
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn {
  const { delim } = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup(); // Put space back in case we have " -}}".
    return lexSpace;
  }
  if (r === '=') return l.emit(Item.Assign);
  if (r === ':') {
    if (l.next() !== '=') return l.errorf('expected :=');
    return l.emit(Item.Declare);
  }
  if (r === '|') return l.emit(Item.Pipe);
  if (r === '"') return lexQuote;
  if (r === '`') return lexRawQuote;
  if (r === '$') return lexVariable;
  if (r === "'") return lexChar;
  if (r === '.') {
    // ".field" unless a digit follows, in which case it starts a number.
    if (l.pos < l.input.length) {
      const c = l.input[l.pos];
      if (c < '0' || c > '9') return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === '+' || r === '-' || (r >= '0' && r <= '9')) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r === '(') {
    l.parenDepth++;
    return l.emit(Item.LeftParen);
  }
  if (r === ')') {
    l.parenDepth--;
    if (l.parenDepth < 0) return l.errorf('unexpected right paren');
    return l.emit(Item.RightParen);
  }
  const cp = r.codePointAt(0)!;
  if (cp <= 0x7f && cp >= 0x20 && cp !== 0x7f) return l.emit(Item.Char);
  return l.errorf(`unrecognized character in action: ${unicodeName(r)}`);
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (r === EOF || !isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  // A trim-marked closing delimiter " -}}" starts with a space; don't swallow it.
  if (hasRightTrimMarker(l.input.slice(l.pos - 1)) && l.input.startsWith(RIGHT_DELIM, l.pos - 1 + TRIM_MARKER_LEN)) {
    l.pos -= 1;
    // keep line accounting right if that space was a newline
    if (l.input[l.pos] === '\n') l.line--;
    if (numSpaces === 1) return lexRightDelim;
  }
  return l.emit(Item.Space);
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r !== EOF && isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${unicodeName(r)}`);
    const kw = keywords[word];
    if (kw !== undefined && kw > Item.Keyword) {
      if ((kw === Item.Break && !l.options.breakOK) || (kw === Item.Continue && !l.options.continueOK)) {
        return l.emit(Item.Identifier);
      }
      return l.emit(kw);
    }
    if (word[0] === '.') return l.emit(Item.Field);
    if (word === 'true' || word === 'false') return l.emit(Item.Bool);
    return l.emit(Item.Identifier);
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, Item.Field);
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) return l.emit(Item.Variable); // just "$"
  return lexFieldOrVariable(l, Item.Variable);
}

function lexFieldOrVariable(l: Lexer, typ: Item): StateFn {
  if (l.atTerminator()) {
    // Nothing interesting follows -> "." or "$".
    return l.emit(typ === Item.Variable ? Item.Variable : Item.Dot);
  }
  let r: string;
  for (;;) {
    r = l.next();
    if (r === EOF || !isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${unicodeName(r)}`);
  return l.emit(typ);
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    let c = l.next();
    if (c === '\\') {
      c = l.next();
      if (c !== EOF && c !== '\n') continue;
      return l.errorf('unterminated character constant');
    }
    if (c === EOF || c === '\n') return l.errorf('unterminated character constant');
    if (c === "'") break;
  }
  return l.emit(Item.CharConstant);
}

function lexNumber(l: Lexer): StateFn {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${goQuoteSimple(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === '+' || sign === '-') {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!scanNumber(l) || l.input[l.pos - 1] !== 'i') {
      return l.errorf(`bad number syntax: ${goQuoteSimple(l.input.slice(l.start, l.pos))}`);
    }
    return l.emit(Item.Complex);
  }
  return l.emit(Item.Number);
}

function scanNumber(l: Lexer): boolean {
  l.accept('+-');
  let digits = '0123456789_';
  if (l.accept('0')) {
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (l.accept('oO')) digits = '01234567_';
    else if (l.accept('bB')) digits = '01_';
  }
  l.acceptRun(digits);
  if (l.accept('.')) l.acceptRun(digits);
  if (digits.length === 11 && l.accept('eE')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  if (digits.length === 23 && l.accept('pP')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  l.accept('i');
  const nx = l.peek();
  if (nx !== EOF && isAlphaNumeric(nx)) {
    l.next();
    return false;
  }
  return true;
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    let c = l.next();
    if (c === '\\') {
      c = l.next();
      if (c !== EOF && c !== '\n') continue;
      return l.errorf('unterminated quoted string');
    }
    if (c === EOF || c === '\n') return l.errorf('unterminated quoted string');
    if (c === '"') break;
  }
  return l.emit(Item.String);
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const c = l.next();
    if (c === EOF) return l.errorf('unterminated raw quoted string');
    if (c === '`') break;
  }
  return l.emit(Item.RawString);
}

/** Go's %#U formatting of a rune, e.g. U+002B '+'. */
export function unicodeName(r: string): string {
  if (r === EOF) return 'U+FFFFFFFFFFFFFFFF'; // Go prints eof (-1) like this
  const cp = r.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(r);
  return printable ? `U+${hex} '${r}'` : `U+${hex}`;
}
