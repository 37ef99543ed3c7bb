// Go text/template for berth's --format / -f options.
//
// The executor mirrors text/template/exec.go: same evaluation order, same
// variable scoping, same truth rules and the same error messages
// ("template: :1:2: executing \"\" at <.Foo>: ..."), because scripts written
// for the docker CLI depend on all of these.
//
// Data is JSON-like (see gofmt.ts for how JS values map onto Go values).
// Where Go would need static types we do not have, we pick the reading that
// matches what docker prints for its own (typed) data:
//  - every object is a map for field lookup, so a missing key prints
//    "<no value>" (Go errors for a missing *struct* field; docker inspect
//    then retries on the raw JSON with missingkey=error - formatter.ts
//    emulates that retry);
//  - function-valued properties act as Go methods: {{.Label "x"}} calls
//    obj.Label("x");
//  - numbers are int when integral, else float64; ints and floats compare
//    with each other instead of failing with "incompatible types".

import {
  BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, nodeString,
  NumberNode, Parser, PipeNode, TemplateError, TemplateNode, VariableNode,
} from './parse.js';
import {
  defaultIsStruct, FieldKinds, FmtOptions, formatValue, GoFloat, GoNil, goTypeName, isGoInt, isPlainObject, typedNull,
  zeroValue,
} from './gofmt.js';
import {
  builtinFuncs, CallContext, dockerFuncs, FuncDef, FuncMap, isTrue, ParamType, paramTypeName, PlainFunc, toFuncDef,
} from './funcs.js';

export { TemplateError } from './parse.js';
export type { FuncMap, FuncDef, PlainFunc, ParamType } from './funcs.js';

export interface TemplateOptions {
  /** Template name used in error messages; the docker CLI uses "". */
  name?: string;
  /** Include docker's json/split/join/title/lower/upper/pad/truncate (default true). */
  dockerFuncs?: boolean;
  /** Go's Option("missingkey=..."): "default" prints <no value>, "error" fails. */
  missingKey?: 'default' | 'error';
  /** Decides which objects print as Go structs ({a b}) rather than maps (map[k:v]). */
  isStruct?: (obj: Record<string, unknown>) => boolean;
  /**
   * The data is decoded JSON (Go's map[string]interface{}): values taken
   * from it are typed interface {} in error messages, as in docker
   * inspect's raw fallback.
   */
  rawJSON?: boolean;
  /**
   * Treat a missing key on a struct-like object (see isStruct) as Go treats a
   * missing struct field: an error ("can't evaluate field X in type struct").
   * Off by default because APIs omit empty fields (omitempty) that Go's typed
   * structs still have.
   */
  strictStructs?: boolean;
  /**
   * Go kind of a field by name. A null field of kind slice or map becomes a
   * typed nil that prints as [] or map[] (as Go's nil slices and maps do)
   * rather than <nil>; a field of known kind missing from a struct-like
   * object (an API's omitempty) reads as that kind's zero value.
   */
  fieldKinds?: FieldKinds;
}

/** Go's zero reflect.Value marker for "no value piped into this command". */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown | typeof MISSING;

class BreakSignal {}
class ContinueSignal {}

const MAX_EXEC_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
}

export class Template {
  private readonly funcs: Map<string, FuncDef>;
  private readonly fmtOpts: FmtOptions;

  /** @internal use parseTemplate() */
  constructor(
    private readonly text: string,
    private readonly root: ListNode,
    private readonly defs: Map<string, ListNode>,
    funcs: Map<string, FuncDef>,
    private readonly options: Required<Pick<TemplateOptions, 'name' | 'missingKey'>> & TemplateOptions,
  ) {
    this.funcs = funcs;
    this.fmtOpts = { isStruct: options.isStruct ?? defaultIsStruct, rawJSON: options.rawJSON, fieldKinds: options.fieldKinds };
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * A copy of this template with some functions replaced, like Go's
   * tmpl.Funcs(...) after parsing. Functions must already exist (Go checks
   * names at parse time).
   */
  withFuncs(funcs: FuncMap): Template {
    const merged = new Map(this.funcs);
    for (const [k, f] of Object.entries(funcs)) merged.set(k, toFuncDef(f));
    return new Template(this.text, this.root, this.defs, merged, this.options);
  }

  /** A copy with different execution options (e.g. missingKey: 'error'). */
  withOptions(opts: Pick<TemplateOptions, 'missingKey' | 'isStruct' | 'rawJSON' | 'strictStructs' | 'fieldKinds'>): Template {
    return new Template(this.text, this.root, this.defs, this.funcs, { ...this.options, ...opts });
  }

  /** Execute against data; throws TemplateError on failure. */
  execute(data: unknown): string {
    const r = this.executePartial(data);
    if (r.error) throw r.error;
    return r.output;
  }

  /**
   * Execute and return whatever was written before a failure along with the
   * error, as Go's Execute leaves partial output in the writer (the docker
   * CLI relies on that for table headers).
   */
  executePartial(data: unknown): { output: string; error?: TemplateError } {
    const st = new ExecState(this, data);
    try {
      st.walk(data, this.root);
      return { output: st.out.join('') };
    } catch (e) {
      if (e instanceof TemplateError) return { output: st.out.join(''), error: e };
      if (e instanceof RangeError) {
        // Deeply recursive templates can exhaust the JS stack before our own limit.
        return { output: st.out.join(''), error: new TemplateError(`template: ${this.options.name}: ${e.message}`, 'exec') };
      }
      throw e;
    }
  }

  /** @internal */ get _text(): string { return this.text; }
  /** @internal */ get _defs(): Map<string, ListNode> { return this.defs; }
  /** @internal */ get _funcs(): Map<string, FuncDef> { return this.funcs; }
  /** @internal */ get _fmt(): FmtOptions { return this.fmtOpts; }
  /** @internal */ get _missingKey(): 'default' | 'error' { return this.options.missingKey; }
  /** @internal */ get _rawJSON(): boolean { return this.options.rawJSON === true; }
  /** @internal */ get _strictStructs(): boolean { return this.options.strictStructs === true; }
}

/**
 * Parse a Go template. Functions available: text/template's builtins, the
 * docker CLI's additions (unless options.dockerFuncs is false), and `funcs`.
 * Throws TemplateError (phase 'parse') with Go's message, e.g.
 * `template: :1: function "foo" not defined`.
 */
export function parseTemplate(text: string, funcs?: FuncMap, options: TemplateOptions = {}): Template {
  const all = new Map<string, FuncDef>();
  for (const [k, f] of Object.entries(builtinFuncs())) all.set(k, f);
  if (options.dockerFuncs !== false) for (const [k, f] of Object.entries(dockerFuncs())) all.set(k, f);
  for (const [k, f] of Object.entries(funcs ?? {})) all.set(k, toFuncDef(f));
  const name = options.name ?? '';
  const parsed = new Parser(text, { name, hasFunction: (n) => all.has(n) }).parse();
  return new Template(text, parsed.root, parsed.defs, all, { ...options, name, missingKey: options.missingKey ?? 'default' });
}

class ExecState {
  out: string[] = [];
  private vars: Variable[];
  private node: Node | null = null;
  private depth = 0;
  private tmplName: string;
  private readonly ctx: CallContext;

  constructor(private readonly t: Template, data: unknown) {
    this.vars = [{ name: '$', value: data }];
    this.tmplName = t.name;
    this.ctx = { fmt: t._fmt };
  }

  // --- errors ---

  private errorf(msg: string): never {
    if (!this.node) throw new TemplateError(`template: ${this.tmplName}: ${msg}`, 'exec');
    const text = this.t._text;
    const before = text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8');
    const loc = `${this.t.name}:${line}:${col}`;
    throw new TemplateError(
      `template: ${loc}: executing ${JSON.stringify(this.tmplName)} at <${nodeString(this.node)}>: ${msg}`,
      'exec',
    );
  }

  private at(n: Node): void {
    this.node = n;
  }

  // --- variables ---

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n].value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ---

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        // Variables declared by an action persist until the enclosing {{end}}.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'comment': return;
      case 'if':
      case 'with':
        this.walkIfOrWith(node, dot);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: unknown): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val, this.ctx.fmt)) {
        this.walk(node.type === 'with' ? val : dot, node.list);
      } else if (node.elseList) {
        this.walk(dot, node.elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outerMark = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      // Mark the stack after the range variables were pushed.
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (!(e instanceof ContinueSignal)) throw e;
        } finally {
          this.pop(mark);
        }
      };
      try {
        if (Array.isArray(val)) {
          if (val.length > 0) {
            val.forEach((elem, i) => oneIteration(i, elem));
            return;
          }
        } else if (isPlainObject(val)) {
          // Go ranges over maps in sorted key order.
          const keys = Object.keys(val).filter((k) => val[k] !== undefined).sort(compareGoStrings);
          if (keys.length > 0) {
            for (const k of keys) oneIteration(k, val[k]);
            return;
          }
        } else if (typeof val === 'number' && isGoInt(val)) {
          // Go 1.22+: range over an integer.
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          if (val > 0) {
            for (let i = 0; i < val; i++) oneIteration(undefined, i);
            return;
          }
        } else if (val !== undefined && val !== null && !(val instanceof GoNil)) {
          this.errorf(`range can't iterate over ${formatValue(val, this.ctx.fmt)}`);
        }
      } catch (e) {
        if (e instanceof BreakSignal) return;
        throw e;
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outerMark);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const body = this.t._defs.get(t.name);
    if (!body) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    // No dynamic scoping: the invoked template sees only $.
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, body);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    this.out.push(v === undefined ? '<no value>' : formatValue(v, this.ctx.fmt));
  }

  // --- evaluation ---

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value);
      else this.push(v.ident[0], value);
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        // Parenthesized pipeline: arguments are all inside it.
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    // 1.0 and 1e6 are float64 in Go; keep that, since a bare integral JS number reads as int.
    return n.floatSyntax && Number.isInteger(n.value) ? new GoFloat(n.value) : n.value;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, 'any', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[] | null, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[] | null, final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i], node, null, MISSING, receiver);
    // Only the last element can be a method that takes the arguments.
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  private evalField(dot: unknown, fieldName: string, node: Node, args: Node[] | null, final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.t._missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (receiver instanceof GoNil && receiver.kind === 'map') {
      // Lookups in a nil map find nothing.
      if (this.t._missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (typeof receiver === 'object' && !Array.isArray(receiver) && !(receiver instanceof GoFloat) && !(receiver instanceof GoNil)) {
      const obj = receiver as Record<string, unknown>;
      const member = lookupMember(obj, fieldName);
      if (member.found && typeof member.value === 'function') {
        const fn = member.value as PlainFunc;
        const def: FuncDef = { params: [], variadic: 'any', fn: (a) => fn.apply(obj, a) };
        return this.evalCall(dot, def, false, node, fieldName, args, final);
      }
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      if (!member.found) {
        const isStruct = isPlainObject(obj) && this.ctx.fmt.isStruct(obj);
        const kind = isStruct ? this.ctx.fmt.fieldKinds?.(fieldName) : undefined;
        if (kind) return zeroValue(kind);
        if (this.t._strictStructs && isStruct) {
          this.errorf(`can't evaluate field ${fieldName} in type struct`);
        }
        if (this.t._missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
        return undefined;
      }
      return typedNull(member.value, fieldName, this.ctx.fmt);
    }
    const typ = this.t._rawJSON ? 'interface {}' : goTypeName(receiver, this.ctx.fmt);
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): unknown {
    this.at(node);
    const fn = this.t._funcs.get(node.ident);
    if (!fn) this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, true, cmd, node.ident, args, final);
  }

  /**
   * Call a function or method. args, if non-null, includes the function
   * node itself at index 0 (as in Go).
   */
  private evalCall(dot: unknown, fn: FuncDef, isBuiltin: boolean, node: Node, name: string, args: Node[] | null, final: Final): unknown {
    const argNodes = args ? args.slice(1) : [];
    let numIn = argNodes.length;
    if (final !== MISSING) numIn++;
    let numFixed = argNodes.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${argNodes.length}`);
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    // and/or short-circuit: arguments are evaluated only as needed.
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'any', a);
        if (isTrue(v, this.ctx.fmt) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.params[i], argNodes[i]));
    if (fn.variadic) for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i]));
    if (final !== MISSING) {
      const t = numIn - 1 < fn.params.length ? fn.params[numIn - 1] : fn.variadic ?? 'any';
      argv.push(this.validateType(final, t));
    }

    if (isBuiltin && name === 'call') return this.callFunc(node, argNodes[0] ?? node, argv);

    try {
      return fn.fn(argv, this.ctx);
    } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The `call` builtin: call a function value held in the data. */
  private callFunc(node: Node, calleeNode: Node, argv: unknown[]): unknown {
    const [fn, ...rest] = argv;
    const calleeName = nodeString(calleeNode);
    try {
      if (fn === undefined || fn === null) throw new Error('call of nil');
      if (typeof fn !== 'function') throw new Error(`non-function ${calleeName} of type ${goTypeName(fn, this.ctx.fmt)}`);
      return (fn as PlainFunc)(...rest);
    } catch (e) {
      this.at(node);
      this.errorf(`error calling call: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private validateType(value: unknown, t: ParamType): unknown {
    if (t === 'any') return value;
    if (value === undefined) this.errorf(`invalid value; expected ${paramTypeName(t)}`);
    switch (t) {
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if (typeof value === 'number' && isGoInt(value)) return value;
        if (typeof value === 'bigint') return Number(value);
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'stringSlice':
        // Docker's data has []string where JSON gives us arrays of anything.
        if (value === null || value instanceof GoNil) return [];
        if (Array.isArray(value)) return value.map((e) => (typeof e === 'string' ? e : formatValue(e, this.ctx.fmt)));
        break;
    }
    this.errorf(`wrong type for value; expected ${paramTypeName(t)}; got ${goTypeName(value, this.ctx.fmt)}`);
  }

  private evalArg(dot: unknown, t: ParamType, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot': return this.validateType(dot, t);
      case 'nil':
        if (t === 'any' || t === 'stringSlice') return null;
        this.errorf(`cannot assign nil to ${paramTypeName(t)}`);
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), t);
      case 'variable': return this.validateType(this.evalVariableNode(dot, n, null, MISSING), t);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), t);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, null, MISSING), t);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, null, MISSING), t);
    }
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.value;
        this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'any':
        switch (n.type) {
          case 'bool': return n.value;
          case 'number': return this.idealConstant(n);
          case 'string': return n.text;
        }
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(t)}`);
  }
}

/** Own or prototype (class method/getter) property, excluding Object.prototype's. */
function lookupMember(obj: Record<string, unknown>, name: string): { found: boolean; value?: unknown } {
  if (Object.prototype.hasOwnProperty.call(obj, name)) {
    return obj[name] === undefined ? { found: false } : { found: true, value: obj[name] };
  }
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, name) && name !== 'constructor') {
      return { found: true, value: obj[name] };
    }
  }
  return { found: false };
}

function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
