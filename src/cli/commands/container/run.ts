// berth run: create → attach → wait → start (→ resize), docker's exact sequence and exit codes.
import { boolFlag, stringFlag, type Cli, type Command, StatusError } from '../../command.js';
import { containerFlags } from '../../util/container-opts.js';
import { attachContainer, exitStatus, keepTtySized } from '../../util/attach.js';
import { forwardSignals } from '../../util/signals.js';
import { createContainer, parseCreateInput, usageFailure } from './create.js';

/** docker's runStartContainerErr: 127 for a missing command, 126 for one that cannot run, else 125. */
export function startErrorStatus(message: string): number {
  const msg = message.replace(/^Error response from daemon: /, '');
  if (msg.includes('executable file not found') || msg.includes('no such file or directory') || msg.includes('system cannot find the file specified')) return 127;
  if (msg.includes('permission denied') || msg.includes('is a directory')) return 126;
  return 125;
}

function runFailure(cli: Cli, err: unknown): StatusError {
  const failure = usageFailure(cli, (err as Error).message);
  return new StatusError(startErrorStatus((err as Error).message), failure.message);
}

export const runCommand: Command = {
  name: 'run',
  use: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  flags: [
    ...containerFlags,
    boolFlag('detach', 'd', 'Run container in background and print container ID'),
    stringFlag('detach-keys', undefined, 'Override the key sequence for detaching a container'),
    boolFlag('sig-proxy', undefined, 'Proxy received signals to the process', true),
  ].sort((a, b) => a.long.localeCompare(b.long)),
  args: { min: 1 },
  interspersed: false,
  noShortHelp: true,
  async run(cli, flags, args) {
    const detach = flags.bool('detach');
    if (detach && flags.list('attach').length) throw new StatusError(1, 'conflicting options: cannot specify both --attach and --detach');
    const input = parseCreateInput(cli, flags, args, (req) => {
      if (detach) Object.assign(req, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
    });
    const config = input.request;
    const tty = Boolean(config.Tty);
    if (!detach && config.AttachStdin && tty && !cli.in.isTTY) throw new StatusError(1, 'the input device is not a TTY');

    const client = cli.client();
    let id: string;
    try {
      id = await createContainer(cli, flags, input);
    } catch (err) {
      throw runFailure(cli, err);
    }

    const stopSignals = flags.bool('sig-proxy') && !tty ? forwardSignals((sig) => client.containerKill(id, sig)) : () => {};
    try {
      if (!config.AttachStdout && !config.AttachStderr) cli.out.write(`${id}\n`);
      const attached = config.AttachStdin || config.AttachStdout || config.AttachStderr;
      const session = attached
        ? await attachContainer(cli, id, {
            stdin: Boolean(config.AttachStdin),
            stdout: Boolean(config.AttachStdout),
            stderr: Boolean(config.AttachStderr),
            tty,
            detachKeys: flags.string('detach-keys') || undefined,
          })
        : undefined;

      const status = await client.containerWait(id, config.HostConfig?.AutoRemove ? 'removed' : 'next-exit');
      try {
        await client.containerStart(id);
      } catch (err) {
        session?.abort();
        await session?.done.catch(() => {});
        cli.err.write(`${usageFailure(cli, (err as Error).message).message}\n`);
        if (config.HostConfig?.AutoRemove) await status.result.catch(() => {});
        throw new StatusError(startErrorStatus((err as Error).message));
      }

      const stopResize = session ? keepTtySized(cli, tty, (h, w) => client.containerResize(id, h, w)) : () => {};
      try {
        if (session && (await session.done) === 'detached') return 0;
      } finally {
        stopResize();
      }
      if (!config.AttachStdout && !config.AttachStderr) return 0;
      return await exitStatus(cli, status.result);
    } finally {
      stopSignals();
    }
  },
};
