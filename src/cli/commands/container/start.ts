// berth start (optionally attached) and berth attach.
import { boolFlag, type Cli, type Command, StatusError, stringFlag } from '../../command.js';
import { attachContainer, attachedExitStatus } from '../../util/attach.js';
import { forwardSignals } from '../../util/signals.js';

export const startCommand: Command = {
  name: 'start',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  flags: [
    boolFlag('attach', 'a', 'Attach STDOUT/STDERR and forward signals'),
    stringFlag('detach-keys', undefined, 'Override the key sequence for detaching a container'),
    boolFlag('interactive', 'i', "Attach container's STDIN"),
  ],
  args: { min: 1 },
  async run(cli, flags, args) {
    if (flags.bool('attach') || flags.bool('interactive')) {
      if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
      return startAttached(cli, args[0], flags.bool('interactive'), flags.string('detach-keys') || undefined);
    }
    const failed: string[] = [];
    for (const name of args) {
      try {
        await cli.client().containerStart(name);
        cli.out.write(`${name}\n`);
      } catch (err) {
        cli.err.write(`${(err as Error).message}\n`);
        failed.push(name);
      }
    }
    if (failed.length) throw new Error(`Error: failed to start containers: ${failed.join(', ')}`);
  },
};

async function startAttached(cli: Cli, name: string, interactive: boolean, detachKeys?: string): Promise<number> {
  const client = cli.client();
  const c = await client.containerInspect(name);
  const tty = Boolean(c.Config.Tty);
  const stopSignals = tty ? () => {} : forwardSignals((sig) => client.containerKill(c.Id, sig));
  try {
    const session = await attachContainer(cli, c.Id, { stdin: interactive && Boolean(c.Config.OpenStdin), stdout: true, stderr: true, tty, detachKeys });
    const status = await client.containerWait(c.Id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    try {
      await client.containerStart(c.Id);
    } catch (err) {
      session.abort();
      await session.done.catch(() => {});
      if (c.HostConfig.AutoRemove) await status.result.catch(() => {});
      throw err;
    }
    return await attachedExitStatus(cli, c.Id, tty, session, status.result);
  } finally {
    stopSignals();
  }
}

export const attachCommand: Command = {
  name: 'attach',
  use: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  flags: [
    stringFlag('detach-keys', undefined, 'Override the key sequence for detaching a container'),
    boolFlag('no-stdin', undefined, 'Do not attach STDIN'),
    boolFlag('sig-proxy', undefined, 'Proxy all received signals to the process', true),
  ],
  args: { exact: 1 },
  async run(cli, flags, [name]) {
    const client = cli.client();
    const c = await client.containerInspect(name);
    if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
    if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
    if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
    const tty = Boolean(c.Config.Tty);
    const stdin = !flags.bool('no-stdin') && Boolean(c.Config.OpenStdin);
    if (stdin && tty && !cli.in.isTTY) throw new StatusError(1, 'the input device is not a TTY');
    const stopSignals = flags.bool('sig-proxy') && !tty ? forwardSignals((sig) => client.containerKill(c.Id, sig)) : () => {};
    try {
      const status = await client.containerWait(c.Id);
      const session = await attachContainer(cli, name, { stdin, stdout: true, stderr: true, tty, detachKeys: flags.string('detach-keys') || undefined });
      return await attachedExitStatus(cli, c.Id, tty, session, status.result);
    } finally {
      stopSignals();
    }
  },
};
