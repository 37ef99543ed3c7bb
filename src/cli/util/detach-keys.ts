// Detach key sequences: "ctrl-p,ctrl-q" → bytes (moby/term ToBytes), and a matcher that holds
// back a partial sequence and reports a complete one (moby/term's escape proxy).

export const DEFAULT_DETACH_KEYS: Buffer = Buffer.from([16, 17]);

export function detachKeyBytes(keys: string): Buffer {
  const out: number[] = [];
  for (const raw of keys.split(',')) {
    const key = raw.trim();
    if (key.length > 1 && key.toLowerCase().startsWith('ctrl-') && key.length === 6) {
      const c = key[5];
      const code = c.toLowerCase().charCodeAt(0);
      if (code >= 97 && code <= 122) out.push(code - 96);
      else if (c === '@') out.push(0);
      else if ('[\\]^_'.includes(c)) out.push(27 + '[\\]^_'.indexOf(c));
      else throw new Error(`Unknown character: '${key}'`);
    } else if (key.length === 1) {
      out.push(key.charCodeAt(0));
    } else {
      throw new Error(`Unknown character: '${key}'`);
    }
  }
  return Buffer.from(out);
}

export class EscapeMatcher {
  private pos = 0;

  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward, or 'detach' when the whole sequence has been typed. */
  feed(chunk: Buffer): Buffer | 'detach' {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.pos]) {
        this.pos++;
        if (this.pos === this.keys.length) return 'detach';
        continue;
      }
      out.push(...this.keys.subarray(0, this.pos), byte);
      this.pos = 0;
    }
    return Buffer.from(out);
  }
}
