// Where each command lives: top-level names and the management groups (container, image, system).
import type { Command } from './command.js';
import { attachCommand, startCommand } from './commands/container/start.js';
import { createCommand } from './commands/container/create.js';
import { execCommand } from './commands/container/exec.js';
import { killCommand, pauseCommand, renameCommand, restartCommand, rmCommand, stopCommand, unpauseCommand, waitCommand } from './commands/container/lifecycle.js';
import { logsCommand } from './commands/container/logs.js';
import { runCommand } from './commands/container/run.js';

export interface Group {
  name: string;
  short: string;
  commands: Command[];
}

export const groups: Group[] = [
  {
    name: 'container',
    short: 'Manage containers',
    commands: [attachCommand, createCommand, execCommand, killCommand, logsCommand, pauseCommand, renameCommand, restartCommand, rmCommand, runCommand, startCommand, stopCommand, unpauseCommand, waitCommand],
  },
];

/** Top-level commands; several are the same command as a group member under another name. */
export const topLevel: Record<string, Command> = {
  attach: attachCommand,
  create: createCommand,
  exec: execCommand,
  kill: killCommand,
  logs: logsCommand,
  pause: pauseCommand,
  rename: renameCommand,
  restart: restartCommand,
  rm: rmCommand,
  run: runCommand,
  start: startCommand,
  stop: stopCommand,
  unpause: unpauseCommand,
  wait: waitCommand,
};

/** Every way to invoke `command`, as docker's "Aliases:" lists them. */
export function aliasesOf(command: Command, prog: string): string[] {
  const paths: string[] = [];
  for (const group of groups) {
    for (const c of group.commands) {
      if (c === command) for (const name of [c.name, ...(c.aliases ?? [])]) paths.push(`${prog} ${group.name} ${name}`);
    }
  }
  for (const [name, c] of Object.entries(topLevel)) if (c === command) paths.push(`${prog} ${name}`);
  return paths;
}

export function findInGroup(group: Group, name: string): Command | undefined {
  return group.commands.find((c) => c.name === name || c.aliases?.includes(name));
}
