// Usage and help text in the docker CLI's layout.
import { PROG, type Command } from './command.js';
import type { FlagSpec } from './flags.js';

function flagLine(spec: FlagSpec): string {
  const names = spec.short ? `  -${spec.short}, --${spec.long}` : `      --${spec.long}`;
  const type = spec.kind === 'bool' ? '' : ` ${spec.typeName ?? (spec.kind === 'int' ? 'int' : spec.kind === 'list' ? 'list' : 'string')}`;
  return names + type;
}

function flagDefault(spec: FlagSpec): string {
  if (spec.kind === 'bool') return spec.def ? ' (default true)' : '';
  if (spec.kind === 'int') return spec.def ? ` (default ${spec.def})` : '';
  if (spec.kind === 'string' && spec.def) return ` (default "${spec.def}")`;
  return '';
}

export function formatFlags(specs: FlagSpec[]): string {
  const visible = specs.filter((s) => !s.hidden);
  const lines = visible.map(flagLine);
  const width = Math.max(...lines.map((l) => l.length));
  return visible.map((s, i) => `${lines[i].padEnd(width)}   ${s.usage}${flagDefault(s)}`).join('\n');
}

export function commandHelp(path: string, command: Command, aliases: string[], flags: FlagSpec[]): string {
  let text = `Usage:  ${path} ${command.use}\n\n${command.short}\n`;
  if (aliases.length > 1) text += `\nAliases:\n  ${aliases.join(', ')}\n`;
  text += `\nOptions:\n${formatFlags(flags)}\n`;
  return text;
}

export function listCommands(entries: { name: string; short: string }[]): string {
  const width = Math.max(11, ...entries.map((e) => e.name.length + 1));
  return entries.map((e) => `  ${e.name.padEnd(width)} ${e.short}`).join('\n');
}

export function groupHelp(name: string, short: string, commands: { name: string; short: string }[]): string {
  return `Usage:  ${PROG} ${name} COMMAND\n\n${short}\n\nCommands:\n${listCommands(commands)}\n\nRun '${PROG} ${name} COMMAND --help' for more information on a command.\n`;
}
