// Go's text/tabwriter (the Elastic Tabstops algorithm), as vendored by the
// docker CLI in cli/command/formatter/tabwriter. The docker copy measures
// cell width with go-runewidth (East Asian wide characters count 2,
// combining marks 0) instead of counting runes; both are available.
//
// Cells are tab-terminated: the text after the last tab of a line is not
// part of any column. A column is a run of adjacent lines that all have a
// cell in it; a line with fewer cells ends the column block, so columns
// further down are aligned independently.
//
// The Escape-character mechanism is not supported: Go uses the byte 0xff,
// which cannot occur in valid UTF-8, while U+00FF is ordinary text in JS.

export const FilterHTML = 1 << 0;
export const StripEscape = 1 << 1; // accepted for API parity; escapes are not supported
export const AlignRight = 1 << 2;
export const DiscardEmptyColumns = 1 << 3;
export const TabIndent = 1 << 4;
export const Debug = 1 << 5;

export interface TabWriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  flags: number;
  /** Display width of a piece of text; defaults to docker's runewidth-style measure. */
  width?: (s: string) => number;
}

/**
 * What docker's formatter uses for every `table` format:
 * tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). (Some older docker commands
 * use a minwidth of 20; pass your own options for those.)
 */
export const DOCKER_TABLE_OPTIONS: TabWriterOptions = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ', flags: 0 };

interface Cell {
  size: number; // length in UTF-16 units
  width: number; // display width
  htab: boolean; // terminated by '\t' (as opposed to '\v')
}

export class TabWriter {
  private readonly minwidth: number;
  private readonly tabwidth: number;
  private readonly padding: number;
  private readonly padchar: string;
  private readonly flags: number;
  private readonly measure: (s: string) => number;

  private buf = '';
  private pos = 0;
  private cell: Cell = { size: 0, width: 0, htab: false };
  private endChar = '';
  private lines: Cell[][] = [];
  private widths: number[] = [];
  private out: string[] = [];

  constructor(opts: TabWriterOptions = DOCKER_TABLE_OPTIONS) {
    if (opts.minwidth < 0 || opts.tabwidth < 0 || opts.padding < 0) {
      throw new Error('negative minwidth, tabwidth, or padding');
    }
    this.minwidth = opts.minwidth;
    this.tabwidth = opts.tabwidth;
    this.padding = opts.padding;
    this.padchar = opts.padchar;
    // Tab padding enforces left alignment.
    this.flags = opts.padchar === '\t' ? opts.flags & ~AlignRight : opts.flags;
    this.measure = opts.width ?? displayWidth;
    this.reset();
  }

  /** Everything formatted so far (complete only after flush()). */
  output(): string {
    return this.out.join('');
  }

  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.endChar === '') {
        switch (ch) {
          case '\t':
          case '\v':
          case '\n':
          case '\f': {
            this.append(text.slice(n, i));
            this.updateWidth();
            n = i + 1;
            const ncells = this.terminateCell(ch === '\t');
            if (ch === '\n' || ch === '\f') {
              this.lines.push([]);
              // A line with a single cell cannot affect the formatting of
              // later lines (the last cell is never aligned), so flush.
              if (ch === '\f' || ncells === 1) {
                this.flushInternal();
                if (ch === '\f' && this.flags & Debug) this.out.push('---\n');
              }
            }
            break;
          }
          case '<':
          case '&':
            if (this.flags & FilterHTML) {
              this.append(text.slice(n, i));
              this.updateWidth();
              n = i;
              this.endChar = ch === '<' ? '>' : ';';
            }
            break;
        }
      } else if (ch === this.endChar) {
        this.append(text.slice(n, i + 1));
        n = i + 1;
        this.endEscape();
      }
    }
    this.append(text.slice(n));
  }

  flush(): void {
    this.flushInternal();
  }

  // --- internals (named after Go's) ---

  private reset(): void {
    this.buf = '';
    this.pos = 0;
    this.cell = { size: 0, width: 0, htab: false };
    this.endChar = '';
    this.lines = [[]];
    this.widths = [];
  }

  private append(text: string): void {
    this.buf += text;
    this.cell.size += text.length;
  }

  private updateWidth(): void {
    this.cell.width += this.measure(this.buf.slice(this.pos));
    this.pos = this.buf.length;
  }

  private endEscape(): void {
    // HTML tags have zero width; entities count as one character.
    if (this.endChar === ';') this.cell.width++;
    this.pos = this.buf.length;
    this.endChar = '';
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1];
    line.push(this.cell);
    this.cell = { size: 0, width: 0, htab: false };
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.size > 0) {
      if (this.endChar !== '') this.endEscape();
      this.terminateCell(false);
    }
    this.format(0, 0, this.lines.length);
    this.reset();
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.padchar === '\t' || useTabs) {
      if (this.tabwidth === 0) return; // tabs have no width - can't do any padding
      cellw = Math.floor((cellw + this.tabwidth - 1) / this.tabwidth) * this.tabwidth;
      const n = cellw - textw;
      if (n < 0) throw new Error('internal error');
      this.out.push('\t'.repeat(Math.floor((n + this.tabwidth - 1) / this.tabwidth)));
      return;
    }
    if (cellw > textw) this.out.push(this.padchar.repeat(cellw - textw));
  }

  private writeLines(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      let useTabs = (this.flags & TabIndent) !== 0;
      line.forEach((c, j) => {
        if (j > 0 && this.flags & Debug) this.out.push('|');
        if (c.size === 0) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j], useTabs);
        } else {
          useTabs = false;
          if ((this.flags & AlignRight) === 0) {
            this.out.push(this.buf.slice(pos, pos + c.size));
            pos += c.size;
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j], false);
          } else {
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j], false);
            this.out.push(this.buf.slice(pos, pos + c.size));
            pos += c.size;
          }
        }
      });
      if (i + 1 === this.lines.length) {
        // Last buffered line has no newline: write the pending partial cell.
        this.out.push(this.buf.slice(pos, pos + this.cell.size));
        pos += this.cell.size;
      } else {
        this.out.push('\n');
      }
    }
    return pos;
  }

  private format(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    const column = this.widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= this.lines[cur].length - 1) continue;
      // This line has a cell in this column: print the lines above, then
      // find the extent and width of the column block starting here.
      pos = this.writeLines(pos, line0, cur);
      line0 = cur;
      let width = this.minwidth;
      let discardable = true;
      for (; cur < line1; cur++) {
        const line = this.lines[cur];
        if (column >= line.length - 1) break;
        const c = line[column];
        width = Math.max(width, c.width + this.padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.flags & DiscardEmptyColumns) width = 0;
      // Format the columns to the right now that this column's width is known.
      this.widths.push(width);
      pos = this.format(pos, line0, cur);
      this.widths.pop();
      line0 = cur;
    }
    return this.writeLines(pos, line0, line1);
  }
}

/** Format text through a tabwriter and return the result (write + flush). */
export function tabwrite(text: string, opts: TabWriterOptions = DOCKER_TABLE_OPTIONS): string {
  const w = new TabWriter(opts);
  w.write(text);
  w.flush();
  return w.output();
}

/** Rune count: the stdlib text/tabwriter measure. */
export function runeCountWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;
const WIDE = /^[\p{Emoji_Presentation}]$/u;

function isWideCodePoint(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x231a && cp <= 0x231b) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x2fffd) ||
    (cp >= 0x30000 && cp <= 0x3fffd)
  );
}

/**
 * Terminal display width in the manner of go-runewidth's StringWidth:
 * control and combining characters are 0 wide, East Asian wide/fullwidth
 * characters and emoji 2, everything else 1.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x7f) {
      w += cp >= 0x20 ? 1 : 0;
      continue;
    }
    if (ZERO_WIDTH.test(ch) || (cp >= 0x200b && cp <= 0x200f)) continue;
    w += isWideCodePoint(cp) || WIDE.test(ch) ? 2 : 1;
  }
  return w;
}
