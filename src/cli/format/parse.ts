// Parser for Go text/template, producing a tree shaped like Go's parse
// package (text/template/parse/parse.go and node.go). Node.toString()
// reproduces Go's Node.String(), which appears verbatim in execution errors
// ("executing \"\" at <.Foo>: ...").

import { Item, Lexer, Token, tokenString } from './lex.js';

export class TemplateError extends Error {
  constructor(message: string, readonly phase: 'parse' | 'exec') {
    super(message);
    this.name = 'TemplateError';
  }
}

interface NodeBase {
  pos: number;
}

export interface ListNode extends NodeBase { type: 'list'; nodes: Node[] }
export interface TextNode extends NodeBase { type: 'text'; text: string }
export interface ActionNode extends NodeBase { type: 'action'; line: number; pipe: PipeNode }
export interface CommentNode extends NodeBase { type: 'comment'; text: string }
export interface BreakNode extends NodeBase { type: 'break'; line: number }
export interface ContinueNode extends NodeBase { type: 'continue'; line: number }
export interface BranchNode extends NodeBase {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends NodeBase { type: 'template'; line: number; name: string; pipe: PipeNode | null }
export interface PipeNode extends NodeBase {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends NodeBase { type: 'command'; args: Node[] }
export interface FieldNode extends NodeBase { type: 'field'; ident: string[] }
export interface VariableNode extends NodeBase { type: 'variable'; ident: string[] }
export interface ChainNode extends NodeBase { type: 'chain'; node: Node; field: string[] }
export interface IdentifierNode extends NodeBase { type: 'identifier'; ident: string }
export interface DotNode extends NodeBase { type: 'dot' }
export interface NilNode extends NodeBase { type: 'nil' }
export interface BoolNode extends NodeBase { type: 'bool'; value: boolean }
export interface NumberNode extends NodeBase {
  type: 'number';
  text: string;
  isInt: boolean;
  isFloat: boolean;
  /** Value when used as an integer or float. */
  value: number;
  /** True if the constant is written as a float (1.0, 1e3) and not a hex/char constant: Go treats it as float64. */
  floatSyntax: boolean;
}
export interface StringNode extends NodeBase { type: 'string'; quoted: string; text: string }
// Markers returned by itemList, never stored in the tree.
interface EndNode extends NodeBase { type: 'end' }
interface ElseNode extends NodeBase { type: 'else'; line: number }

export type Node =
  | ListNode | TextNode | ActionNode | CommentNode | BreakNode | ContinueNode | BranchNode
  | TemplateNode | PipeNode | CommandNode | FieldNode | VariableNode | ChainNode
  | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode;

type AnyNode = Node | EndNode | ElseNode;

/** Go's Node.String() for every node type. */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'list': return n.nodes.map(nodeString).join('');
    case 'text': return goQuoteText(n.text);
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'comment': return `{{${n.text}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'if':
    case 'range':
    case 'with': {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return s + '{{end}}';
    }
    case 'template':
      return n.pipe
        ? `{{template ${goQuoteText(n.name)} ${nodeString(n.pipe)}}}`
        : `{{template ${goQuoteText(n.name)}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field': return n.ident.map((i) => '.' + i).join('');
    case 'variable': return n.ident.join('.');
    case 'chain': {
      const base = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.field.map((f) => '.' + f).join('');
    }
    case 'identifier': return n.ident;
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return n.value ? 'true' : 'false';
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
  }
}

function goQuoteText(s: string): string {
  return JSON.stringify(s);
}

/** A parsed set of templates: the main one ("" in docker) plus {{define}}d ones. */
export interface ParsedTemplates {
  root: ListNode;
  defs: Map<string, ListNode>;
}

export interface ParseOptions {
  name: string;
  /** Names of functions known at parse time; Go rejects unknown identifiers when parsing. */
  hasFunction: (name: string) => boolean;
}

export class Parser {
  private toks: Token[] = [];
  private idx = 0; // index of the next token to hand out
  private furthest = 0; // furthest token index read: Go's token[0], whose line errors report
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private readonly defs = new Map<string, ListNode>();

  constructor(private readonly text: string, private readonly opts: ParseOptions) {}

  parse(): ParsedTemplates {
    const lexer = new Lexer(this.text, {
      breakOK: !this.opts.hasFunction('break'),
      continueOK: !this.opts.hasFunction('continue'),
    });
    this.toks = lexer.tokens();
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== Item.EOF) {
      if (this.peek().typ === Item.LeftDelim) {
        const save = this.idx;
        this.next();
        if (this.nextNonSpace().typ === Item.Define) {
          this.parseDefinition();
          continue;
        }
        this.idx = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n as Node);
    }
    return { root, defs: this.defs };
  }

  // --- token stream ---

  private next(): Token {
    const i = Math.min(this.idx, this.toks.length - 1);
    this.idx++;
    if (i > this.furthest) this.furthest = i;
    return this.toks[i];
  }

  private backup(): void {
    this.idx--;
  }

  private peek(): Token {
    const i = Math.min(this.idx, this.toks.length - 1);
    if (i > this.furthest) this.furthest = i;
    return this.toks[i];
  }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.typ === Item.Space);
    return t;
  }

  // Like Go, this consumes the spaces and backs up over the non-space token only.
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // --- errors ---

  private errorf(msg: string): never {
    // Go reports the line of the most recently lexed token.
    const line = this.currentLine();
    throw new TemplateError(`template: ${this.opts.name}:${line}: ${msg}`, 'parse');
  }

  private currentLine(): number {
    return this.toks[this.furthest]?.line ?? 1;
  }

  private unexpected(tok: Token, context: string): never {
    if (tok.typ === Item.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== tok.line) {
        extra = ` in action started at ${this.opts.name}:${this.actionLine}`;
        if (tok.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${tokenString(tok)}${extra}`);
    }
    this.errorf(`unexpected ${tokenString(tok)} in ${context}`);
  }

  private expect(expected: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== expected) this.unexpected(t, context);
    return t;
  }

  // --- grammar ---

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.typ !== Item.String && nameTok.typ !== Item.RawString) this.unexpected(nameTok, context);
    const name = this.unquote(nameTok.val);
    this.expect(Item.RightDelim, context);
    this.parseDefinitionBody(name, context);
  }

  /** The body of a define or block up to its {{end}}: a template of its own, so it sees only `$`. */
  private parseDefinitionBody(name: string, context: string): void {
    const savedVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = savedVars;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.addDefinition(name, list);
  }

  private addDefinition(name: string, list: ListNode): void {
    const existing = this.defs.get(name);
    if (existing && !isEmptyTree(existing) && !isEmptyTree(list)) {
      // Go really does double the "template:" prefix here.
      this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
    }
    if (!existing || isEmptyTree(existing)) this.defs.set(name, list);
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned separately. */
  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== Item.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): AnyNode {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case Item.Text:
        return { type: 'text', pos: tok.pos, text: tok.val };
      case Item.LeftDelim: {
        this.actionLine = tok.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      default:
        this.unexpected(tok, 'input');
    }
  }

  private action(): AnyNode {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case Item.Block: return this.blockControl();
      case Item.Break: return this.breakControl(tok, 'break');
      case Item.Continue: return this.breakControl(tok, 'continue');
      case Item.Else: return this.elseControl();
      case Item.End: return { type: 'end', pos: this.expect(Item.RightDelim, 'end').pos };
      case Item.If: return this.branchControl('if');
      case Item.Range: return this.branchControl('range');
      case Item.Template: return this.templateControl();
      case Item.With: return this.branchControl('with');
    }
    this.backup();
    const t = this.peek();
    // Variables declared in a plain action persist until the enclosing {{end}}.
    return { type: 'action', pos: t.pos, line: t.line, pipe: this.pipeline('command', Item.RightDelim) };
  }

  private breakControl(tok: Token, kind: 'break' | 'continue'): BreakNode | ContinueNode {
    const t = this.nextNonSpace();
    if (t.typ !== Item.RightDelim) this.unexpected(t, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos: tok.pos, line: tok.line };
  }

  private elseControl(): ElseNode {
    const p = this.peekNonSpace();
    // "{{else if ...}}" / "{{else with ...}}" are treated as "{{else}}{{if ...}}".
    if (p.typ === Item.If || p.typ === Item.With) return { type: 'else', pos: p.pos, line: p.line };
    const t = this.expect(Item.RightDelim, 'else');
    return { type: 'else', pos: t.pos, line: t.line };
  }

  private branchControl(context: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, Item.RightDelim);
      if (context === 'range') this.rangeDepth++;
      let list: ListNode;
      let next: EndNode | ElseNode;
      try {
        [list, next] = this.itemList();
      } finally {
        if (context === 'range') this.rangeDepth--;
      }
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if ((context === 'if' && this.peek().typ === Item.If) || (context === 'with' && this.peek().typ === Item.With)) {
          this.next();
          // The nested if/with consumes the single {{end}} for the whole chain.
          elseList = { type: 'list', pos: next.pos, nodes: [this.branchControl(context)] };
        } else {
          let end: EndNode | ElseNode;
          [elseList, end] = this.itemList();
          if (end.type !== 'end') this.errorf(`expected end; found ${nodeString(end)}`);
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    this.parseDefinitionBody(name, context);
    return { type: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== Item.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return { type: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private templateName(tok: Token, context: string): string {
    if (tok.typ === Item.String || tok.typ === Item.RawString) return this.unquote(tok.val);
    this.unexpected(tok, context);
  }

  private pipeline(context: string, end: Item): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, line: start.line, isAssign: false, decl: [], cmds: [] };
    // Declarations: "$x :=", "$x =", or for range "$i, $e :=".
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== Item.Variable) break;
      const save = this.idx;
      this.nextNonSpace();
      const nx = this.peekNonSpace();
      if (nx.typ === Item.Assign || nx.typ === Item.Declare) {
        pipe.isAssign = nx.typ === Item.Assign;
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (nx.typ === Item.Char && nx.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().typ;
          if (after === Item.Variable || after === Item.RightDelim || after === Item.RightParen) continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      // Not a declaration: "$x" is the first operand.
      this.idx = save;
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (tok.typ) {
        case Item.Bool: case Item.CharConstant: case Item.Complex: case Item.Dot: case Item.Field:
        case Item.Identifier: case Item.Number: case Item.Nil: case Item.RawString: case Item.String:
        case Item.Variable: case Item.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    // Only the first command of a pipeline can start with a non-executable operand.
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0].type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const tok = this.next();
      if (tok.typ === Item.Space) continue;
      if (tok.typ === Item.RightDelim || tok.typ === Item.RightParen) this.backup();
      else if (tok.typ !== Item.Pipe) this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === Item.Field) {
      // Go positions the resulting node at the *second* segment; error
      // columns like ":1:9" for {{.Config.Foo}} come from this.
      const chainPos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === Item.Field) fields.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          node = { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case 'variable':
          node = { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
          break;
        default:
          node = { type: 'chain', pos: chainPos, node, field: fields };
      }
    }
    return node;
  }

  private term(): Node | null {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case Item.Identifier:
        if (!this.opts.hasFunction(tok.val)) this.errorf(`function ${JSON.stringify(tok.val)} not defined`);
        return { type: 'identifier', pos: tok.pos, ident: tok.val };
      case Item.Dot:
        return { type: 'dot', pos: tok.pos };
      case Item.Nil:
        return { type: 'nil', pos: tok.pos };
      case Item.Variable:
        return this.useVar(tok);
      case Item.Field:
        return { type: 'field', pos: tok.pos, ident: [tok.val.slice(1)] };
      case Item.Bool:
        return { type: 'bool', pos: tok.pos, value: tok.val === 'true' };
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number:
        return this.newNumber(tok);
      case Item.LeftParen:
        return this.pipeline('parenthesized pipeline', Item.RightParen);
      case Item.String:
      case Item.RawString:
        return { type: 'string', pos: tok.pos, quoted: tok.val, text: this.unquote(tok.val) };
    }
    this.backup();
    return null;
  }

  private useVar(tok: Token): VariableNode {
    const ident = tok.val.split('.');
    if (!this.vars.includes(ident[0])) this.errorf(`undefined variable ${JSON.stringify(ident[0])}`);
    return { type: 'variable', pos: tok.pos, ident };
  }

  private newNumber(tok: Token): NumberNode {
    const text = tok.val;
    const base = { type: 'number' as const, pos: tok.pos, text };
    if (tok.typ === Item.CharConstant) {
      const r = unquoteChar(text);
      if (r === null) this.errorf(`malformed character constant: ${text}`);
      return { ...base, isInt: true, isFloat: true, value: r, floatSyntax: false };
    }
    if (tok.typ === Item.Complex || text.endsWith('i')) {
      // Complex constants exist in Go templates but never in docker formats.
      this.errorf(`complex constants are not supported: ${JSON.stringify(text)}`);
    }
    const n = parseGoNumber(text);
    if (n === 'overflow') this.errorf(`integer overflow: ${JSON.stringify(text)}`);
    if (n === null) this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    const isHexInt = /^[+-]?0[xX]/.test(text) && !/[pP]/.test(text);
    const floatSyntax = !isHexInt && /[.eEpP]/.test(text);
    return { ...base, isInt: n.isInt, isFloat: true, value: n.value, floatSyntax };
  }

  private unquote(quoted: string): string {
    const s = goUnquote(quoted);
    if (s === null) this.errorf('invalid syntax');
    return s;
  }
}

export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list': return n.nodes.every(isEmptyTree);
    case 'comment': return true;
    case 'text': return n.text.trim() === '';
    default: return false;
  }
}

/** strconv.ParseInt/ParseFloat with base prefixes and underscores, as the template parser uses them. */
function parseGoNumber(text: string): { value: number; isInt: boolean } | 'overflow' | null {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const intForms: Array<[RegExp, number, number]> = [
    [/^0[xX](_?[0-9a-fA-F])+$/, 16, 2],
    [/^0[oO](_?[0-7])+$/, 8, 2],
    [/^0[bB](_?[01])+$/, 2, 2],
    [/^0(_?[0-7])+$/, 8, 1],
    [/^[1-9](_?[0-9])*$|^0$/, 10, 0],
  ];
  for (const [re, radix, skip] of intForms) {
    if (!re.test(s)) continue;
    const digits = s.slice(skip).replace(/_/g, '');
    let big = 0n;
    for (const d of digits) big = big * BigInt(radix) + BigInt(parseInt(d, radix));
    if (neg) big = -big;
    // Go's int is 64 bits; a uint64-sized positive value is still accepted.
    if (big < -(2n ** 63n) || big > 2n ** 64n - 1n) return 'overflow';
    return { value: Number(big), isInt: true };
  }
  // Floats: decimal with optional exponent, or hex with p exponent.
  if (/^((\d(_?\d)*)?\.?(\d(_?\d)*)?)([eE][+-]?\d(_?\d)*)?$/.test(s) && /\d/.test(s)) {
    const v = Number(s.replace(/_/g, ''));
    if (Number.isNaN(v)) return null;
    return { value: neg ? -v : v, isInt: Number.isInteger(v) };
  }
  const hexf = /^0[xX]([0-9a-fA-F_]*)\.?([0-9a-fA-F_]*)[pP]([+-]?\d+)$/.exec(s);
  if (hexf) {
    const mant = (hexf[1] + hexf[2]).replace(/_/g, '');
    const frac = hexf[2].replace(/_/g, '').length;
    const v = parseInt(mant || '0', 16) * Math.pow(2, Number(hexf[3]) - 4 * frac);
    return { value: neg ? -v : v, isInt: Number.isInteger(v) };
  }
  return null;
}

const simpleEscapes: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

/**
 * strconv.UnquoteChar: decode one (possibly escaped) character at s[i].
 * Returns [decoded code point, next index] or null on bad syntax.
 */
function unquoteCharAt(s: string, i: number, quote: string): [number, number] | null {
  const c = s[i];
  if (c === quote && (quote === "'" || quote === '"')) return null;
  if (c !== '\\') {
    const cp = s.codePointAt(i)!;
    return [cp, i + (cp > 0xffff ? 2 : 1)];
  }
  const e = s[i + 1];
  if (e === undefined) return null;
  if (e in simpleEscapes) return [simpleEscapes[e].codePointAt(0)!, i + 2];
  if (e === quote) return [quote.codePointAt(0)!, i + 2];
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (hexLen) {
    const h = s.slice(i + 2, i + 2 + hexLen);
    if (h.length !== hexLen || !/^[0-9a-fA-F]+$/.test(h)) return null;
    const v = parseInt(h, 16);
    if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))) return null;
    return [v, i + 2 + hexLen];
  }
  if (e >= '0' && e <= '7') {
    const o = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(o)) return null;
    const v = parseInt(o, 8);
    if (v > 255) return null;
    return [v, i + 4];
  }
  return null;
}

function unquoteChar(text: string): number | null {
  if (text.length < 3 || text[0] !== "'" || text[text.length - 1] !== "'") return null;
  const r = unquoteCharAt(text, 1, "'");
  if (!r || r[1] !== text.length - 1) return null;
  return r[0];
}

/** strconv.Unquote for "..." and `...` literals. Returns null on invalid syntax. */
export function goUnquote(q: string): string | null {
  if (q.length < 2) return null;
  const quote = q[0];
  if (q[q.length - 1] !== quote) return null;
  const body = q.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) return null;
    return body.replace(/\r/g, '');
  }
  if (quote !== '"') return null;
  // \x and octal escapes produce raw bytes in Go; collect bytes and decode as UTF-8.
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === '\n') return null;
    const isByteEscape = body[i] === '\\' && (body[i + 1] === 'x' || (body[i + 1] >= '0' && body[i + 1] <= '7'));
    const r = unquoteCharAt(body, i, '"');
    if (!r) return null;
    if (isByteEscape) bytes.push(r[0]);
    else bytes.push(...Buffer.from(String.fromCodePoint(r[0]), 'utf8'));
    i = r[1];
  }
  return Buffer.from(bytes).toString('utf8');
}
