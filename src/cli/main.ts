// The berth CLI entry point: global flags, command dispatch, and docker's error reporting.
import { EngineClient } from '../client/client.js';
import { resolveHost } from '../client/host.js';
import { PROG, StatusError, boolFlag, listFlag, stringFlag, type Cli, type Command, type ArgsRule } from './command.js';
import { FlagError, parseFlags, type FlagSpec } from './flags.js';
import { commandHelp, formatFlags, groupHelp, listCommands } from './help.js';
import { aliasesOf, findInGroup, groups, topLevel } from './registry.js';
import { CLI_VERSION } from './commands/system/version.js';


const globalFlags: FlagSpec[] = [
  stringFlag('config', undefined, 'Location of client config files'),
  stringFlag('context', 'c', 'Name of the context to use to connect to the daemon'),
  boolFlag('debug', 'D', 'Enable debug mode'),
  listFlag('host', 'H', 'Daemon socket to connect to'),
  stringFlag('log-level', 'l', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', 'info'),
  boolFlag('tls', undefined, 'Use TLS; implied by --tlsverify'),
  boolFlag('version', 'v', 'Print version information and quit'),
  boolFlag('help', 'h', 'Print usage'),
];

function rootHelp(): string {
  const top = Object.entries(topLevel)
    .map(([name, c]) => ({ name, short: c.short }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    `Usage:  ${PROG} [OPTIONS] COMMAND\n\nA Docker-compatible container engine\n\n` +
    `Management Commands:\n${listCommands(groups.map((g) => ({ name: g.name, short: g.short })).sort((a, b) => a.name.localeCompare(b.name)))}\n\n` +
    `Commands:\n${listCommands(top)}\n\nGlobal Options:\n${formatFlags(globalFlags)}\n\n` +
    `Run '${PROG} COMMAND --help' for more information on a command.\n`
  );
}

function argsError(path: string, useLine: string, rule: ArgsRule, count: number): string | undefined {
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  const { min, max, exact } = rule;
  if (exact !== undefined && count !== exact) return `${PROG}: '${path}' requires ${exact} ${plural(exact)}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
  if (max === 0 && count > 0) return `${PROG}: '${path}' accepts no arguments\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
  if (min !== undefined && max !== undefined && (count < min || count > max))
    return `${PROG}: '${path}' requires at least ${min} and at most ${max} ${plural(max)}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
  if (min !== undefined && count < min) return `${PROG}: '${path}' requires at least ${min} ${plural(min)}\n\nUsage:  ${useLine}\n\nSee '${path} --help' for more information`;
  if (max !== undefined && count > max) return `${PROG}: '${path}' requires at most ${max} ${plural(max)}\n\nUsage:  ${useLine}\n\nSRun '${path} --help' for more information`;
  return undefined;
}

async function runCommand(cli: Cli, path: string, command: Command, argv: string[]): Promise<number> {
  const helpFlag: FlagSpec = { ...boolFlag('help', command.noShortHelp ? undefined : 'h', 'Print usage'), hidden: true };
  const specs = [...command.flags, helpFlag];
  const useLine = `${path} ${command.use}`;
  let parsed;
  try {
    parsed = parseFlags(specs, argv, command.interspersed ?? true);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    throw new StatusError(125, `${err.message}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`);
  }
  if (parsed.flags.bool('help')) {
    cli.out.write(commandHelp(path, command, aliasesOf(command, PROG), specs));
    return 0;
  }
  const problem = argsError(path, useLine, command.args ?? {}, parsed.args.length);
  if (problem) throw new StatusError(1, problem);
  return (await command.run({ ...cli, commandPath: path }, parsed.flags, parsed.args)) ?? 0;
}

async function dispatch(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(globalFlags, argv, false);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    throw new StatusError(125, `${err.message}\n\nUsage:  ${PROG} [OPTIONS] COMMAND [ARG...]\n\nRun '${PROG} --help' for more information`);
  }
  const { flags, args } = parsed;
  if (flags.bool('version')) {
    process.stdout.write(`${PROG} version ${CLI_VERSION}\n`);
    return 0;
  }
  const hosts = flags.list('host');
  if (hosts.length > 1) throw new StatusError(1, 'Specify only one -H');
  let client: EngineClient | undefined;
  const cli: Cli = {
    in: process.stdin,
    out: process.stdout,
    err: process.stderr,
    commandPath: PROG,
    client: () => (client ??= new EngineClient(resolveHost(hosts[0]), process.env.DOCKER_API_VERSION || undefined)),
  };
  if (!args.length || flags.bool('help')) {
    cli.out.write(rootHelp());
    return 0;
  }
  const [name, ...rest] = args;
  const group = groups.find((g) => g.name === name);
  if (group) {
    const sub = rest[0];
    if (sub === undefined || sub === '--help' || sub === '-h') {
      cli.out.write(groupHelp(group.name, group.short, group.commands.map((c) => ({ name: c.name, short: c.short }))));
      return 0;
    }
    const command = findInGroup(group, sub);
    if (!command)
      throw new StatusError(1, `${PROG}: unknown command: ${PROG} ${group.name} ${sub}\n\nUsage:  ${PROG} ${group.name}\n\nRun '${PROG} ${group.name} --help' for more information`);
    return runCommand(cli, `${PROG} ${group.name} ${sub}`, command, rest.slice(1));
  }
  const command = topLevel[name];
  if (!command) throw new StatusError(1, `${PROG}: unknown command: ${PROG} ${name}\n\nRun '${PROG} --help' for more information`);
  return runCommand(cli, `${PROG} ${name}`, command, rest);
}

async function main(): Promise<void> {
  // `berth logs x | head`: a reader that goes away ends the CLI quietly, as in docker.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  let code: number;
  try {
    code = await dispatch(process.argv.slice(2));
  } catch (err) {
    if (err instanceof StatusError) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      code = err.code;
    } else {
      process.stderr.write(`${(err as Error).message}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

void main();
