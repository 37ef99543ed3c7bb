// Usage and help text in the docker CLI's layout.
import { PROG, type Command } from './command.js';
import type { FlagSpec } from './flags.js';

function flagLine(spec: FlagSpec): string {
  const names = spec.short ? `  -${spec.short}, --${spec.long}` : `      --${spec.long}`;
  const type = spec.kind === 'bool' ? '' : ` ${spec.typeName ?? (spec.kind === 'int' ? 'int' : spec.kind === 'list' ? 'list' : 'string')}`;
  return names + type;
}

function flagDefault(spec: FlagSpec): string {
  if (spec.defaultText) return ` (default ${spec.defaultText})`;
  if (spec.kind === 'bool') return spec.def ? ' (default true)' : '';
  if (spec.kind === 'int') return spec.def ? ` (default ${spec.def})` : '';
  if (spec.kind === 'string' && spec.def) return ` (default "${spec.def}")`;
  return '';
}

/** pflag's wrapN: split `s` at the last space within `i` characters (or take all within i+slop). */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const w = Math.max(s.lastIndexOf(' ', i - 1), s.lastIndexOf('\t', i - 1), s.lastIndexOf('\n', i - 1));
  if (w <= 0) return [s, ''];
  const nl = s.lastIndexOf('\n', i - 1);
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** pflag's wrap: usage text wrapped to `width` columns, continuation lines indented by `indent`. */
function wrap(indent: number, width: number, s: string): string {
  let room = width - indent;
  let out = '';
  if (room < 24) {
    indent = 16;
    room = width - indent;
    out += `\n${' '.repeat(indent)}`;
  }
  if (room < 24) return s.replaceAll('\n', out);
  const pad = ' '.repeat(indent);
  const slop = 5;
  let [line, rest] = wrapN(room - slop, slop, s);
  out += line.replaceAll('\n', `\n${pad}`);
  while (rest) {
    [line, rest] = wrapN(room - slop, slop, rest);
    out += `\n${pad}${line.replaceAll('\n', `\n${pad}`)}`;
  }
  return out;
}

/** pflag's FlagUsagesWrapped, for a terminal of `columns` (docker uses its width - 1, or 79). */
export function formatFlags(specs: FlagSpec[], columns = (process.stdout.columns || 80) - 1): string {
  const visible = specs.filter((s) => !s.hidden);
  const lines = visible.map(flagLine);
  const width = Math.max(...lines.map((l) => l.length)) + 1;
  return visible.map((s, i) => `${lines[i].padEnd(width - 1)}   ${wrap(width + 2, columns, s.usage + flagDefault(s))}`).join('\n');
}

export function commandHelp(path: string, command: Command, aliases: string[], flags: FlagSpec[]): string {
  let text = `Usage:  ${path} ${command.use}\n\n${command.short}\n`;
  if (aliases.length > 1) text += `\nAliases:\n  ${aliases.join(', ')}\n`;
  // cobra leaves the section out when every flag is hidden (only --help)
  if (flags.some((f) => !f.hidden)) text += `\nOptions:\n${formatFlags(flags)}\n`;
  return text;
}

export function listCommands(entries: { name: string; short: string }[]): string {
  const width = Math.max(11, ...entries.map((e) => e.name.length + 1));
  return entries.map((e) => `  ${e.name.padEnd(width)} ${e.short}`).join('\n');
}

export function groupHelp(name: string, short: string, commands: { name: string; short: string }[]): string {
  return `Usage:  ${PROG} ${name} COMMAND\n\n${short}\n\nCommands:\n${listCommands(commands)}\n\nRun '${PROG} ${name} COMMAND --help' for more information on a command.\n`;
}
