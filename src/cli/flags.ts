// A flag parser with pflag's grammar and messages: --flag value, --flag=value, -abc combined
// booleans, -e=X / -eX / -e X, --bool=false, repeated flags, `--`, and optionally no
// interspersing (parsing stops at the first positional: run/create/exec).

export type FlagKind = 'bool' | 'string' | 'int' | 'list';

export interface FlagSpec {
  long: string;
  short?: string;
  kind: FlagKind;
  usage: string;
  /** Value type shown in help (`string`, `list`, `int`, `duration`...). */
  typeName?: string;
  def?: string | number | boolean;
  hidden?: boolean;
  /** Validates/converts a value; throws an Error whose message follows "invalid argument ... flag: ". */
  validate?: (value: string) => void;
  /** Another flag whose values this one adds to, in order (pflag: two names bound to one variable, e.g. --net and --network). */
  store?: string;
  /** The default as help shows it when it is not a plain value (e.g. "map[]"). */
  defaultText?: string;
}

export class FlagError extends Error {}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

export function parseGoInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

const flagTitle = (spec: FlagSpec) => (spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`);

export class Flags {
  private readonly values = new Map<string, string[]>();

  constructor(private readonly specs: FlagSpec[]) {}

  spec(long: string): FlagSpec {
    const spec = this.specs.find((s) => s.long === long);
    if (!spec) throw new Error(`no such flag --${long}`);
    return spec;
  }

  set(spec: FlagSpec, value: string): void {
    try {
      if (spec.kind === 'bool') parseGoBool(value);
      if (spec.kind === 'int') parseGoInt(value);
      spec.validate?.(value);
    } catch (err) {
      throw new FlagError(`invalid argument ${JSON.stringify(value)} for "${flagTitle(spec)}" flag: ${(err as Error).message}`);
    }
    const key = spec.store ?? spec.long;
    const list = this.values.get(key) ?? [];
    list.push(value);
    this.values.set(key, list);
  }

  changed(long: string): boolean {
    this.spec(long);
    return this.values.has(long);
  }

  bool(long: string): boolean {
    const v = this.values.get(long);
    return v ? parseGoBool(v[v.length - 1]) : Boolean(this.spec(long).def);
  }

  string(long: string): string {
    const v = this.values.get(long);
    return v ? v[v.length - 1] : String(this.spec(long).def ?? '');
  }

  int(long: string): number {
    const v = this.values.get(long);
    return v ? parseGoInt(v[v.length - 1]) : Number(this.spec(long).def ?? 0);
  }

  /** An int flag that was not given is undefined (for optional API parameters). */
  optionalInt(long: string): number | undefined {
    return this.changed(long) ? this.int(long) : undefined;
  }

  list(long: string): string[] {
    return this.values.get(long) ?? [];
  }
}

export interface ParseResult {
  flags: Flags;
  args: string[];
}

/** Parses `argv` against `specs` as pflag does. */
export function parseFlags(specs: FlagSpec[], argv: string[], interspersed = true): ParseResult {
  const flags = new Flags(specs);
  const args: string[] = [];
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const rest = [...argv];

  while (rest.length) {
    const arg = rest.shift() as string;
    if (arg === '--') {
      args.push(...rest);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      if (!interspersed) {
        args.push(...rest);
        break;
      }
      continue;
    }
    if (arg.startsWith('--')) {
      const body = arg.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) throw new FlagError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const spec = byLong.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) flags.set(spec, body.slice(eq + 1));
      else if (spec.kind === 'bool') flags.set(spec, 'true');
      else if (rest.length) flags.set(spec, rest.shift() as string);
      else throw new FlagError(`flag needs an argument: ${arg}`);
      continue;
    }
    let shorts = arg.slice(1);
    while (shorts.length) {
      const c = shorts[0];
      const spec = byShort.get(c);
      if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
      if (shorts.length > 2 && shorts[1] === '=') {
        flags.set(spec, shorts.slice(2));
        shorts = '';
      } else if (spec.kind === 'bool') {
        flags.set(spec, 'true');
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        flags.set(spec, shorts.slice(1));
        shorts = '';
      } else if (rest.length) {
        flags.set(spec, rest.shift() as string);
        shorts = '';
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in ${arg}`);
      }
    }
  }
  return { flags, args };
}
