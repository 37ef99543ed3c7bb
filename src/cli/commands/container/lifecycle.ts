// stop, restart, kill, pause, unpause, rm, rename, wait: one or more containers each.
import { isNotFound } from '../../../client/errors.js';
import { boolFlag, forEachTarget, intFlag, stringFlag, type Command } from '../../command.js';

const timeoutFlags = [
  stringFlag('signal', 's', 'Signal to send to the container'),
  intFlag('timeout', 't', 'Seconds to wait before killing the container'),
  { ...intFlag('time', undefined, 'Seconds to wait before killing the container (deprecated: use --timeout)'), hidden: true },
];

const many = { min: 1 };

export const stopCommand: Command = {
  name: 'stop',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  flags: timeoutFlags,
  args: many,
  async run(cli, flags, args) {
    const timeout = flags.optionalInt('timeout') ?? flags.optionalInt('time');
    const signal = flags.string('signal') || undefined;
    await forEachTarget(cli, args, (c) => cli.client().containerStop(c, timeout, signal));
  },
};

export const restartCommand: Command = {
  name: 'restart',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  flags: timeoutFlags,
  args: many,
  async run(cli, flags, args) {
    const timeout = flags.optionalInt('timeout') ?? flags.optionalInt('time');
    const signal = flags.string('signal') || undefined;
    await forEachTarget(cli, args, (c) => cli.client().containerRestart(c, timeout, signal));
  },
};

export const killCommand: Command = {
  name: 'kill',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  flags: [stringFlag('signal', 's', 'Signal to send to the container')],
  args: many,
  async run(cli, flags, args) {
    const signal = flags.string('signal') || undefined;
    await forEachTarget(cli, args, (c) => cli.client().containerKill(c, signal));
  },
};

export const pauseCommand: Command = {
  name: 'pause',
  use: 'CONTAINER [CONTAINER...]',
  short: 'Pause all processes within one or more containers',
  flags: [],
  args: many,
  async run(cli, _flags, args) {
    await forEachTarget(cli, args, (c) => cli.client().containerPause(c));
  },
};

export const unpauseCommand: Command = {
  name: 'unpause',
  use: 'CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  flags: [],
  args: many,
  async run(cli, _flags, args) {
    await forEachTarget(cli, args, (c) => cli.client().containerUnpause(c));
  },
};

export const rmCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  flags: [
    boolFlag('force', 'f', 'Force the removal of a running container (uses SIGKILL)'),
    boolFlag('link', 'l', 'Remove the specified link'),
    boolFlag('volumes', 'v', 'Remove anonymous volumes associated with the container'),
  ],
  args: many,
  async run(cli, flags, args) {
    const force = flags.bool('force');
    const errors: string[] = [];
    for (const name of args) {
      if (!name.replace(/^\/+/, '')) {
        errors.push('Container name cannot be empty');
        continue;
      }
      try {
        await cli.client().containerRemove(name, { force, volumes: flags.bool('volumes'), link: flags.bool('link') });
        cli.out.write(`${name}\n`);
      } catch (err) {
        if (force && isNotFound(err)) cli.err.write(`${(err as Error).message}\n`);
        else errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new Error(errors.join('\n'));
  },
};

export const renameCommand: Command = {
  name: 'rename',
  use: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  flags: [],
  args: { exact: 2 },
  async run(cli, _flags, [oldName, newName]) {
    if (!oldName.trim() || !newName.trim()) throw new Error('Error: Neither old nor new names may be empty');
    try {
      await cli.client().containerRename(oldName.trim(), newName.trim());
    } catch (err) {
      cli.err.write(`${(err as Error).message}\n`);
      throw new Error(`Error: failed to rename container named ${oldName}`);
    }
  },
};

export const waitCommand: Command = {
  name: 'wait',
  use: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  flags: [],
  args: many,
  async run(cli, _flags, args) {
    await forEachTarget(cli, args, async (c) => String((await (await cli.client().containerWait(c)).result).StatusCode));
  },
};
