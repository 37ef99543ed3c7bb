// Variable substitution in Dockerfile words, as Docker's shell lexer does it:
// `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`;
// single quotes are literal, double quotes allow substitution, the escape character
// makes the next one literal. Quotes and escapes are removed from the result.

export type Lookup = (name: string) => string | undefined;

/** One word: whitespace is kept. */
export function expandWord(text: string, lookup: Lookup, escape = '\\'): string {
  return new WordLexer(text, lookup, escape).words(false).join('');
}

/** Several words, split on unquoted whitespace (EXPOSE, VOLUME, COPY sources). */
export function expandWords(text: string, lookup: Lookup, escape = '\\'): string[] {
  return new WordLexer(text, lookup, escape).words(true);
}

/**
 * `key=value ...` pairs (ENV, LABEL) split on unquoted whitespace and expanded; the
 * legacy `ENV key value with spaces` form when the first word has no `=`.
 */
export function expandPairs(text: string, lookup: Lookup, escape = '\\'): [string, string][] {
  const raw = splitRawWords(text, escape);
  if (raw.length > 0 && !raw[0].includes('=')) {
    const key = raw[0];
    const value = text.trim().slice(key.length).trim();
    return [[expandWord(key, lookup, escape), expandWord(value, lookup, escape)]];
  }
  return raw.map((word) => {
    const eq = word.indexOf('=');
    return [expandWord(word.slice(0, eq), lookup, escape), expandWord(word.slice(eq + 1), lookup, escape)];
  });
}

/** Words split on unquoted whitespace with their quotes and escapes still in place. */
export function splitRawWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (!quote && /\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    current += ch;
    if (ch === escape && quote !== "'" && i + 1 < text.length) current += text[++i];
    else if (!quote && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = '';
  }
  if (inWord) words.push(current);
  return words;
}

class WordLexer {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
    private readonly escape: string,
  ) {}

  words(split: boolean): string[] {
    const words: string[] = [];
    let word = '';
    let inWord = false;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (split && /\s/.test(ch)) {
        if (inWord) words.push(word);
        word = '';
        inWord = false;
        this.pos++;
        continue;
      }
      inWord = true;
      if (ch === this.escape) {
        this.pos++;
        if (this.pos < this.text.length) word += this.text[this.pos++];
        else word += ch;
      } else if (ch === "'") {
        word += this.singleQuoted();
      } else if (ch === '"') {
        word += this.doubleQuoted();
      } else if (ch === '$') {
        word += this.variable();
      } else {
        word += ch;
        this.pos++;
      }
    }
    if (inWord || !split) words.push(word);
    return words;
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    if (end < 0) throw new Error('unexpected end of statement while looking for matching single-quote');
    const value = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private doubleQuoted(): string {
    let value = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '"') {
        this.pos++;
        return value;
      }
      if (ch === this.escape && this.pos + 1 < this.text.length && ['"', '$', this.escape].includes(this.text[this.pos + 1])) {
        value += this.text[this.pos + 1];
        this.pos += 2;
      } else if (ch === '$') {
        value += this.variable();
      } else {
        value += ch;
        this.pos++;
      }
    }
    throw new Error('unexpected end of statement while looking for matching double-quote');
  }

  /** At a `$`: the substitution, or a literal `$` when no name follows. */
  private variable(): string {
    this.pos++;
    if (this.text[this.pos] !== '{') {
      const m = /^(?:[0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(this.text.slice(this.pos)); // digits: a positional parameter
      if (!m) return '$';
      this.pos += m[0].length;
      return this.lookup(m[0]) ?? '';
    }
    this.pos++;
    const m = /^([A-Za-z0-9_]+)(:?[-+])?/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`bad substitution in ${this.text}`);
    this.pos += m[0].length;
    const value = this.lookup(m[1]);
    if (!m[2]) {
      if (this.text[this.pos] !== '}') throw new Error(`missing '}' in ${this.text}`);
      this.pos++;
      return value ?? '';
    }
    const word = this.nestedWord();
    const colon = m[2].startsWith(':');
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    return m[2].endsWith('-') ? (set ? value! : word) : set ? word : '';
  }

  /** The word after `:-`/`:+` up to the closing brace, itself expanded. */
  private nestedWord(): string {
    let word = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '}') {
        this.pos++;
        return word;
      }
      if (ch === this.escape && this.pos + 1 < this.text.length) {
        word += this.text[this.pos + 1];
        this.pos += 2;
      } else if (ch === '$') {
        word += this.variable();
      } else if (ch === "'") {
        word += this.singleQuoted();
      } else if (ch === '"') {
        word += this.doubleQuoted();
      } else {
        word += ch;
        this.pos++;
      }
    }
    throw new Error(`missing '}' in ${this.text}`);
  }
}
