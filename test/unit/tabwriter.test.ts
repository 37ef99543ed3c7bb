// Tests for src/cli/format/tabwriter.ts.
//
// The table-driven cases are Go's own text/tabwriter behaviour (stdlib
// measure: one column per rune); the docker cases were checked against the
// real docker CLI 28 (`docker ps --format 'table ...'`), whose vendored
// tabwriter measures East Asian wide characters as two columns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlignRight, Debug, DiscardEmptyColumns, DOCKER_TABLE_OPTIONS, FilterHTML, runeCountWidth, TabWriter, tabwrite,
  displayWidth, TabWriterOptions,
} from '../../src/cli/format/tabwriter.js';

interface Case {
  name: string;
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  flags: number;
  src: string;
  want: string;
}

const goCases: Case[] = [
  { name: '1a', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '', want: '' },
  { name: '1a debug', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: Debug, src: '', want: '' },
  { name: '2', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '\n\n\n', want: '\n\n\n' },
  { name: '3', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: 'a\nb\nc', want: 'a\nb\nc' },
  // A tab terminating an empty cell on the last line prints nothing.
  { name: '4a', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '\t', want: '' },
  { name: '4b', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: AlignRight, src: '\t', want: '' },
  { name: '5', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '*\t*', want: '*.......*' },
  { name: '5b', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '*\t*\n', want: '*.......*\n' },
  { name: '5c', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '*\t*\t', want: '*.......*' },
  { name: '5c debug', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: Debug, src: '*\t*\t', want: '*.......|*' },
  { name: '5d', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: AlignRight, src: '*\t*\t', want: '.......**' },
  { name: '6', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: '\t\n', want: '........\n' },
  { name: '7a', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: 'a) foo', want: 'a) foo' },
  { name: '7b', minwidth: 8, tabwidth: 0, padding: 1, padchar: ' ', flags: 0, src: 'b) foo\tbar', want: 'b) foo  bar' },
  { name: '7c', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: 'c) foo\tbar\t', want: 'c) foo..bar' },
  { name: '7d', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: 'd) foo\tbar\n', want: 'd) foo..bar\n' },
  { name: '7e', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0, src: 'e) foo\tbar\t\n', want: 'e) foo..bar.....\n' },
  {
    name: '7f', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: FilterHTML,
    src: 'f) f&lt;o\t<b>bar</b>\t\n', want: 'f) f&lt;o..<b>bar</b>.....\n',
  },
  {
    name: '7g', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: FilterHTML,
    src: 'g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp',
    want: 'g) f&lt;o..<b>bar</b>..... non-terminated entity &amp',
  },
  {
    name: '7g debug', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: FilterHTML | Debug,
    src: 'g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp',
    want: 'g) f&lt;o..|<b>bar</b>.....| non-terminated entity &amp',
  },
  { name: '8', minwidth: 8, tabwidth: 0, padding: 1, padchar: '*', flags: 0, src: 'Hello, world!\n', want: 'Hello, world!\n' },
  {
    name: '9a', minwidth: 1, tabwidth: 0, padding: 0, padchar: '.', flags: 0,
    src: '1\t2\t3\t4\n11\t222\t3333\t44444\n', want: '1.2..3...4\n11222333344444\n',
  },
  {
    name: '9b', minwidth: 1, tabwidth: 0, padding: 0, padchar: '.', flags: FilterHTML,
    src: '1\t2<!---\f--->\t3\t4\n11\t222\t3333\t44444\n', want: '1.2<!---\f--->..3...4\n11222333344444\n',
  },
  {
    // \f ends the line and flushes: the next line starts new columns.
    name: '9c', minwidth: 1, tabwidth: 0, padding: 0, padchar: '.', flags: 0,
    src: '1\t2\t3\t4\f11\t222\t3333\t44444\n', want: '1234\n11222333344444\n',
  },
  {
    name: '9c debug', minwidth: 1, tabwidth: 0, padding: 0, padchar: '.', flags: Debug,
    src: '1\t2\t3\t4\f11\t222\t3333\t44444\n', want: '1|2|3|4\n---\n11|222|3333|44444\n',
  },
  { name: '10a', minwidth: 5, tabwidth: 0, padding: 0, padchar: '.', flags: 0, src: '1\t2\t3\t4\n', want: '1....2....3....4\n' },
  { name: '10b', minwidth: 5, tabwidth: 0, padding: 0, padchar: '.', flags: 0, src: '1\t2\t3\t4\t\n', want: '1....2....3....4....\n' },
  {
    name: '11', minwidth: 8, tabwidth: 0, padding: 1, padchar: '.', flags: 0,
    src: '本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n',
    want: '本.......b.......c\naa......本本本.....cccc....ddddd\naaa.....bbbb\n',
  },
  {
    name: '12a', minwidth: 8, tabwidth: 0, padding: 1, padchar: ' ', flags: AlignRight,
    src: 'a\tè\tc\t\naa\tèèè\tcccc\tddddd\t\naaa\tèèèè\t\n',
    want: '       a       è       c\n      aa     èèè    cccc   ddddd\n     aaa    èèèè\n',
  },
  {
    name: '12b', minwidth: 2, tabwidth: 0, padding: 0, padchar: ' ', flags: 0,
    src: 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', want: 'a  b  c\naa bbbcccc\naaabbbb\n',
  },
  {
    name: '12c', minwidth: 8, tabwidth: 0, padding: 1, padchar: '_', flags: 0,
    src: 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', want: 'a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n',
  },
  {
    // Column blocks: a line with fewer cells ends the block of the columns it lacks.
    name: '13a', minwidth: 4, tabwidth: 0, padding: 1, padchar: '-', flags: 0,
    src: '4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    want:
      '4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n' +
      '666666-666666-666666----4444\n1------1------999999999-0000000000\n',
  },
  {
    name: '13b', minwidth: 4, tabwidth: 0, padding: 3, padchar: '.', flags: 0,
    src: '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    want:
      '4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n' +
      '666666...666666...666666......4444\n1........1........999999999...0000000000\n',
  },
  {
    name: '13c', minwidth: 8, tabwidth: 8, padding: 1, padchar: '\t', flags: FilterHTML,
    src:
      '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n' +
      '1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n',
    want:
      '4444\t\t333\t22\t1\t333\n999999999\t22\n7\t\t22\n\t\t\t\t88888888\n\n666666\t666666\t666666\t\t4444\n' +
      '1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n',
  },
  {
    name: '14', minwidth: 1, tabwidth: 0, padding: 2, padchar: ' ', flags: AlignRight,
    src:
      '.0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n' +
      '.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t',
    want:
      '    .0          .3    2.4    -5.1\n  23.0  12345678.9    2.4  -989.4\n   5.1        12.0    2.4    -7.0\n' +
      '    .0         0.0  332.0  8908.0\n    .0         -.3  456.4    22.1\n    .0         1.2   44.4   -13.3',
  },
  { name: '15a', minwidth: 4, tabwidth: 0, padding: 0, padchar: '.', flags: 0, src: 'a\t\tb', want: 'a.......b' },
  // Hard tabs keep empty columns even with DiscardEmptyColumns; soft tabs (\v) do not.
  { name: '15b', minwidth: 4, tabwidth: 0, padding: 0, padchar: '.', flags: DiscardEmptyColumns, src: 'a\t\tb', want: 'a.......b' },
  { name: '15c', minwidth: 4, tabwidth: 0, padding: 0, padchar: '.', flags: DiscardEmptyColumns, src: 'a\v\vb', want: 'a...b' },
  {
    name: '15d', minwidth: 4, tabwidth: 0, padding: 0, padchar: '.', flags: AlignRight | DiscardEmptyColumns,
    src: 'a\v\vb', want: '...ab',
  },
  {
    name: '16b debug', minwidth: 100, tabwidth: 100, padding: 0, padchar: '\t', flags: DiscardEmptyColumns | Debug,
    src: 'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n',
    want: 'a\t|b\t||d\na\t|b\t||d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n',
  },
  {
    name: '16c', minwidth: 100, tabwidth: 100, padding: 0, padchar: '\t', flags: DiscardEmptyColumns,
    src: 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    want: 'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
  },
];

function optsOf(c: Case): TabWriterOptions {
  return { minwidth: c.minwidth, tabwidth: c.tabwidth, padding: c.padding, padchar: c.padchar, flags: c.flags, width: runeCountWidth };
}

test('Go text/tabwriter cases, written all at once', () => {
  for (const c of goCases) assert.equal(tabwrite(c.src, optsOf(c)), c.want, c.name);
});

test('Go text/tabwriter cases, written in pieces (result must not depend on chunking)', () => {
  for (const c of goCases) {
    // One character at a time.
    let w = new TabWriter(optsOf(c));
    for (const ch of c.src) w.write(ch);
    w.flush();
    assert.equal(w.output(), c.want, `${c.name} (char by char)`);
    // Fibonacci-sized slices, as Go's test does.
    w = new TabWriter(optsOf(c));
    for (let i = 0, d = 0; i < c.src.length; ) {
      w.write(c.src.slice(i, i + d));
      i += d;
      d++;
      if (i + d > c.src.length) d = c.src.length - i;
    }
    w.flush();
    assert.equal(w.output(), c.want, `${c.name} (fibonacci)`);
  }
});

test('docker table options: minwidth 10, padding 3', () => {
  // docker ps -a --format 'table {{"a"}}\t{{"b"}}\tc'
  assert.equal(tabwrite('a\tb\tc\na\tb\tc\n'), 'a         b         c\na         b         c\n');
  // docker ps -a --format 'table {{.ID}}\t{{.Names}}' (two containers)
  assert.equal(
    tabwrite('CONTAINER ID\tNAMES\n3d1ad6658bdd\ttmpl-a\n28b21a93cb43\tbrave_elgamal\n'),
    'CONTAINER ID   NAMES\n3d1ad6658bdd   tmpl-a\n28b21a93cb43   brave_elgamal\n',
  );
  // A trailing tab makes the last column aligned too: docker prints trailing spaces.
  assert.equal(
    tabwrite('CONTAINER ID\tNAMES\t\n3d1ad6658bdd\ttmpl-a\t\n28b21a93cb43\tbrave_elgamal\t\n'),
    'CONTAINER ID   NAMES           \n3d1ad6658bdd   tmpl-a          \n28b21a93cb43   brave_elgamal   \n',
  );
  assert.deepEqual(DOCKER_TABLE_OPTIONS, { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ', flags: 0 });
});

test('docker table: a column block ends at a line without that column', () => {
  // docker ps -a --format 'table {{.ID}}\n{{.Names}}': the header has a
  // one-cell second line, so nothing is aligned.
  assert.equal(
    tabwrite('CONTAINER ID\nNAMES\n3d1ad6658bdd\ntmpl-a\n'),
    'CONTAINER ID\nNAMES\n3d1ad6658bdd\ntmpl-a\n',
  );
  // Columns above and below a cell-less line are sized independently.
  assert.equal(
    tabwrite('a\tb\nlonger-than-ten\tc\nbreak\nx\ty\n'),
    'a' + ' '.repeat(17) + 'b\nlonger-than-ten   c\nbreak\nx         y\n',
  );
});

test('docker measures East Asian wide characters as two columns', () => {
  // docker ps -a --format 'table {{.Names}}\t{{.Labels}}\t{{.Image}}' with a label value 日本語
  assert.equal(
    tabwrite('NAMES\tLABELS\tIMAGE\ntmpl-b\tcom.example.x=日本語\tbusybox\ntmpl-a\ta=1,b=x<y&z\tbusybox\n'),
    'NAMES     LABELS                 IMAGE\n' +
      'tmpl-b    com.example.x=日本語   busybox\n' +
      'tmpl-a    a=1,b=x<y&z            busybox\n',
  );
  assert.equal(displayWidth('日本語'), 6);
  assert.equal(displayWidth('e\u0301'), 1); // combining accent
  assert.equal(displayWidth('abc'), 3);
  assert.equal(runeCountWidth('日本語'), 3);
});
