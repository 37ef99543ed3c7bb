// Where each command lives: top-level names and the management groups (container, image, system).
import type { Command } from './command.js';
import { commitCommand } from './commands/container/commit.js';
import { createCommand } from './commands/container/create.js';
import { execCommand } from './commands/container/exec.js';
import { killCommand, pauseCommand, renameCommand, restartCommand, rmCommand, stopCommand, unpauseCommand, waitCommand } from './commands/container/lifecycle.js';
import { logsCommand } from './commands/container/logs.js';
import { psCommand } from './commands/container/ps.js';
import { runCommand } from './commands/container/run.js';
import { attachCommand, startCommand } from './commands/container/start.js';
import { buildCommand } from './commands/image/build.js';
import { imagesCommand } from './commands/image/images.js';
import { historyCommand, rmiCommand, tagCommand } from './commands/image/manage.js';
import { importCommand, loadCommand, pullCommand, saveCommand } from './commands/image/transfer.js';
import { eventsCommand } from './commands/system/events.js';
import { infoCommand } from './commands/system/info.js';
import { containerInspectCommand, imageInspectCommand, inspectCommand } from './commands/system/inspect.js';
import { containerPruneCommand, imagePruneCommand } from './commands/system/prune.js';
import { versionCommand } from './commands/system/version.js';

export interface Group {
  name: string;
  short: string;
  commands: Command[];
}

const byName = (a: Command, b: Command) => a.name.localeCompare(b.name);

export const groups: Group[] = [
  {
    name: 'container',
    short: 'Manage containers',
    commands: [
      attachCommand, commitCommand, createCommand, execCommand, containerInspectCommand, killCommand, logsCommand, psCommand, pauseCommand,
      containerPruneCommand, renameCommand, restartCommand, rmCommand, runCommand, startCommand, stopCommand, unpauseCommand, waitCommand,
    ].sort(byName),
  },
  {
    name: 'image',
    short: 'Manage images',
    commands: [buildCommand, historyCommand, importCommand, imageInspectCommand, loadCommand, imagesCommand, imagePruneCommand, pullCommand, rmiCommand, saveCommand, tagCommand].sort(byName),
  },
  {
    name: 'system',
    short: 'Manage the engine',
    commands: [eventsCommand, infoCommand],
  },
];

/** Top-level commands; several are a group member under another name (ps, images, rmi). */
export const topLevel: Record<string, Command> = {
  attach: attachCommand,
  build: buildCommand,
  commit: commitCommand,
  create: createCommand,
  events: eventsCommand,
  exec: execCommand,
  history: historyCommand,
  images: imagesCommand,
  import: importCommand,
  info: infoCommand,
  inspect: inspectCommand,
  kill: killCommand,
  load: loadCommand,
  logs: logsCommand,
  pause: pauseCommand,
  ps: psCommand,
  pull: pullCommand,
  rename: renameCommand,
  restart: restartCommand,
  rm: rmCommand,
  rmi: rmiCommand,
  run: runCommand,
  save: saveCommand,
  start: startCommand,
  stop: stopCommand,
  tag: tagCommand,
  unpause: unpauseCommand,
  version: versionCommand,
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
