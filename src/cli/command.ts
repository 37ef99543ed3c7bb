// The command model: each command declares its usage, flags and argument rule and a run function.
import type { EngineClient } from '../client/client.js';
import type { FlagSpec, Flags } from './flags.js';

export const PROG = 'berth';

export interface Streams {
  in: NodeJS.ReadStream;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

export interface Cli extends Streams {
  /** The API client, created on first use (commands that fail on their flags never connect). */
  client(): EngineClient;
  /** The full path of the running command, e.g. "berth container ls" (for messages). */
  commandPath: string;
}

export type ArgsRule = { min?: number; max?: number; exact?: number };

export interface Command {
  name: string;
  /** Other names under the same parent (`container ls` is also `container ps` and `container list`). */
  aliases?: string[];
  /** Usage after the command path, e.g. "[OPTIONS] CONTAINER [CONTAINER...]". */
  use: string;
  short: string;
  flags: FlagSpec[];
  args?: ArgsRule;
  /** false: flags end at the first positional (run, create, exec). */
  interspersed?: boolean;
  /** The command uses -h for itself, so only --help shows help. */
  noShortHelp?: boolean;
  /** Returns the exit status (0 when nothing is returned). */
  run(cli: Cli, flags: Flags, args: string[]): Promise<number | void>;
}

/** Ends the CLI with `code` (0 for a cancelled prompt), printing `message` (if any) to stderr. */
export class StatusError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
  }
}

/** docker's help for --format on list commands (flagsHelper.FormatHelp). */
export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** docker's help for --format on inspect commands (flagsHelper.InspectFormatHelp). */
export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

// Flag spec shorthands.
export const boolFlag = (long: string, short: string | undefined, usage: string, def = false): FlagSpec => ({ long, short, kind: 'bool', usage, def });
export const stringFlag = (long: string, short: string | undefined, usage: string, def = ''): FlagSpec => ({ long, short, kind: 'string', usage, def });
export const intFlag = (long: string, short: string | undefined, usage: string, def = 0): FlagSpec => ({ long, short, kind: 'int', usage, def });
export const listFlag = (long: string, short: string | undefined, usage: string, typeName = 'list'): FlagSpec => ({ long, short, kind: 'list', usage, typeName });

/** Runs `op` for each target in order, printing each success and collecting failures as docker does. */
export async function forEachTarget(cli: Cli, targets: string[], op: (target: string) => Promise<string | void>): Promise<void> {
  const errors: string[] = [];
  for (const target of targets) {
    try {
      const printed = await op(target);
      cli.out.write(`${printed ?? target}\n`);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) throw new Error(errors.join('\n'));
}
