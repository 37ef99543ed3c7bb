// The Dockerfile parser, by Docker's rules: parser directives (`# escape`, `# syntax`)
// only at the top, comment lines dropped (also inside continuations), lines joined
// on the escape character, JSON form when the arguments are a valid JSON string
// array (otherwise shell form), `--name=value` flags on the instructions that take them.
// Variables are not expanded here: that needs the build state (see expand.ts).

export interface Instruction {
  /** Lower case: "from", "run", ... */
  keyword: string;
  /** The arguments after the keyword and its flags, continuations joined. */
  args: string;
  /** The JSON form's array, when the arguments are one. */
  json?: string[];
  flags: Map<string, string>;
  /** The instruction as Docker echoes it in "Step n/m : ...". */
  original: string;
  line: number;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: Instruction[];
}

const KNOWN = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label',
  'maintainer', 'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);
/** The flags each instruction takes; any other is a parse error, as in dockerd. */
const FLAGS: Record<string, string[]> = {
  add: ['chown', 'chmod'],
  copy: ['chown', 'chmod', 'from'],
  from: ['platform'],
  run: ['mount', 'network', 'security'],
  healthcheck: ['interval', 'timeout', 'start-period', 'retries'],
};

export class DockerfileParseError extends Error {}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Directives: leading `# key=value` comment lines, until the first other line.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileParseError(`invalid ESCAPE '${m[2]}'. Must be \` or \\`);
      escape = m[2];
    }
  }
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const startLine = i + 1;
    let joined = '';
    let continued = false;
    for (; i < lines.length; i++) {
      const line = lines[i];
      if (/^\s*#/.test(line)) continue; // comments vanish, even between continuation lines
      if (continued && line.trim() === '') continue;
      const trimmed = line.replace(/\s+$/, '');
      if (trimmed.endsWith(escape)) {
        joined += trimmed.slice(0, -1);
        continued = true;
        continue;
      }
      joined += line;
      i++;
      break;
    }
    const body = joined.trim();
    if (body === '') continue;
    instructions.push(parseInstruction(body, startLine));
  }
  return { escape, instructions };
}

/** One logical line ("RUN --mount=x echo hi") into keyword, flags and arguments. */
export function parseInstruction(body: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(body)!;
  const keyword = m[1].toLowerCase();
  if (!KNOWN.has(keyword)) throw new DockerfileParseError(`dockerfile parse error line ${line}: unknown instruction: ${m[1].toUpperCase()}`);
  let rest = m[2];
  const flags = new Map<string, string>();
  const allowed = FLAGS[keyword];
  if (allowed) {
    for (;;) {
      const f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
      if (!f) break;
      if (!allowed.includes(f[1])) throw new DockerfileParseError(`dockerfile parse error line ${line}: Unknown flag: ${f[1]}`);
      flags.set(f[1], f[2] ?? 'true');
      rest = rest.slice(f[0].length);
    }
  }
  const args = rest.trim();
  const instruction: Instruction = { keyword, args, flags, original: `${m[1]} ${m[2]}`.trim(), line };
  const json = parseJsonArray(args);
  if (json) instruction.json = json;
  return instruction;
}

function parseJsonArray(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  } catch {
    // Not JSON: Docker then takes the text as shell form.
  }
  return undefined;
}

export interface Stage {
  name?: string;
  /** The FROM instruction; the rest of the stage follows it. */
  from: Instruction;
  instructions: Instruction[];
}

/** Splits the instructions into the ARGs before the first FROM and the stages. */
export function splitStages(instructions: Instruction[]): { metaArgs: Instruction[]; stages: Stage[] } {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'from') {
      const words = ins.args.split(/\s+/);
      if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === 'as')) || words[0] === '') {
        throw new DockerfileParseError(`dockerfile parse error line ${ins.line}: FROM requires either one or three arguments`);
      }
      stages.push({ name: words[2]?.toLowerCase(), from: ins, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'arg') throw new DockerfileParseError('no build stage in current context');
      metaArgs.push(ins);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new DockerfileParseError('no build stage in current context');
  return { metaArgs, stages };
}
