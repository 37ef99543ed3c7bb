// Where each command lives: top-level names and the management groups (container, image, network,
// volume, system, builder). A command's first group is its home; a later one (builder) only borrows it.
import type { Command } from './command.js';
import { commitCommand } from './commands/container/commit.js';
import { createCommand } from './commands/container/create.js';
import { cpCommand } from './commands/container/cp.js';
import { execCommand } from './commands/container/exec.js';
import { diffCommand, exportCommand, topCommand } from './commands/container/inspection.js';
import { killCommand, pauseCommand, renameCommand, restartCommand, rmCommand, stopCommand, unpauseCommand, waitCommand } from './commands/container/lifecycle.js';
import { logsCommand } from './commands/container/logs.js';
import { portCommand } from './commands/container/port.js';
import { psCommand } from './commands/container/ps.js';
import { runCommand } from './commands/container/run.js';
import { attachCommand, startCommand } from './commands/container/start.js';
import { statsCommand } from './commands/container/stats.js';
import { buildCommand } from './commands/image/build.js';
import { imagesCommand } from './commands/image/images.js';
import { historyCommand, rmiCommand, tagCommand } from './commands/image/manage.js';
import { importCommand, loadCommand, pullCommand, saveCommand } from './commands/image/transfer.js';
import { eventsCommand } from './commands/system/events.js';
import { infoCommand } from './commands/system/info.js';
import { containerInspectCommand, imageInspectCommand, inspectCommand } from './commands/system/inspect.js';
import { containerPruneCommand, imagePruneCommand } from './commands/system/prune.js';
import { versionCommand } from './commands/system/version.js';
import { networkCreateCommand } from './commands/network/create.js';
import { networkListCommand } from './commands/network/list.js';
import {
  networkConnectCommand,
  networkDisconnectCommand,
  networkInspectCommand,
  networkPruneCommand,
  networkRemoveCommand,
} from './commands/network/manage.js';
import { volumeCreateCommand } from './commands/volume/create.js';
import { volumeListCommand } from './commands/volume/list.js';
import { volumeInspectCommand, volumePruneCommand, volumeRemoveCommand } from './commands/volume/manage.js';

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
      attachCommand, commitCommand, cpCommand, createCommand, execCommand, containerInspectCommand, killCommand, logsCommand, psCommand, pauseCommand,
      portCommand, containerPruneCommand, renameCommand, restartCommand, rmCommand, runCommand, startCommand, statsCommand, stopCommand, unpauseCommand, waitCommand,
      diffCommand, exportCommand, topCommand,
    ].sort(byName),
  },
  {
    name: 'image',
    short: 'Manage images',
    commands: [buildCommand, historyCommand, importCommand, imageInspectCommand, loadCommand, imagesCommand, imagePruneCommand, pullCommand, rmiCommand, saveCommand, tagCommand].sort(byName),
  },
  {
    name: 'network',
    short: 'Manage networks',
    commands: [
      networkConnectCommand, networkCreateCommand, networkDisconnectCommand, networkInspectCommand, networkListCommand, networkPruneCommand, networkRemoveCommand,
    ].sort(byName),
  },
  {
    name: 'volume',
    short: 'Manage volumes',
    commands: [volumeCreateCommand, volumeInspectCommand, volumeListCommand, volumePruneCommand, volumeRemoveCommand],
  },
  {
    name: 'system',
    short: 'Manage the engine',
    commands: [eventsCommand, infoCommand],
  },
  {
    name: 'builder',
    short: 'Manage builds',
    commands: [buildCommand],
  },
];

/** Top-level commands; several are a group member under another name (ps, images, rmi). */
export const topLevel: Record<string, Command> = {
  attach: attachCommand,
  build: buildCommand,
  commit: commitCommand,
  cp: cpCommand,
  create: createCommand,
  diff: diffCommand,
  events: eventsCommand,
  exec: execCommand,
  export: exportCommand,
  history: historyCommand,
  images: imagesCommand,
  import: importCommand,
  info: infoCommand,
  inspect: inspectCommand,
  kill: killCommand,
  load: loadCommand,
  logs: logsCommand,
  pause: pauseCommand,
  port: portCommand,
  ps: psCommand,
  pull: pullCommand,
  rename: renameCommand,
  restart: restartCommand,
  rm: rmCommand,
  rmi: rmiCommand,
  run: runCommand,
  save: saveCommand,
  start: startCommand,
  stats: statsCommand,
  stop: stopCommand,
  tag: tagCommand,
  top: topCommand,
  unpause: unpauseCommand,
  version: versionCommand,
  wait: waitCommand,
};

/**
 * Every way to invoke `command`, as docker's "Aliases:" lists them: its home group's names,
 * its top-level name, then the groups that borrow it ("docker image build, docker build,
 * docker builder build").
 */
export function aliasesOf(command: Command, prog: string): string[] {
  const [home, ...borrowers] = groups.filter((g) => g.commands.includes(command)).map((g) => g.name);
  const names = [command.name, ...(command.aliases ?? [])];
  return [
    ...(home ? names.map((name) => `${prog} ${home} ${name}`) : []),
    ...Object.entries(topLevel).filter(([, c]) => c === command).map(([name]) => `${prog} ${name}`),
    ...borrowers.flatMap((group) => names.map((name) => `${prog} ${group} ${name}`)),
  ];
}

export function findInGroup(group: Group, name: string): Command | undefined {
  return group.commands.find((c) => c.name === name || c.aliases?.includes(name));
}
