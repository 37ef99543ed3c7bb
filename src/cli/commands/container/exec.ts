// berth exec: create an exec instance, then start it detached or attached, and exit with its code.
import { boolFlag, listFlag, stringFlag, type Command, StatusError } from '../../command.js';
import { envList } from '../../util/container-opts.js';
import { streamHijacked } from '../../util/hijack.js';
import { keepTtySized } from '../../util/attach.js';
import { terminalSize } from '../../util/tty.js';

export const execCommand: Command = {
  name: 'exec',
  use: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  flags: [
    boolFlag('detach', 'd', 'Detached mode: run command in the background'),
    stringFlag('detach-keys', undefined, 'Override the key sequence for detaching a container'),
    listFlag('env', 'e', 'Set environment variables'),
    listFlag('env-file', undefined, 'Read in a file of environment variables'),
    boolFlag('interactive', 'i', 'Keep STDIN open even if not attached'),
    boolFlag('privileged', undefined, 'Give extended privileges to the command'),
    boolFlag('tty', 't', 'Allocate a pseudo-TTY'),
    stringFlag('user', 'u', 'Username or UID (format: "<name|uid>[:<group|gid>]")'),
    stringFlag('workdir', 'w', 'Working directory inside the container'),
  ],
  args: { min: 2 },
  interspersed: false,
  async run(cli, flags, [container, ...cmd]) {
    const client = cli.client();
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    const stdin = !detach && flags.bool('interactive');
    const detachKeys = flags.string('detach-keys') || undefined;
    if (!detach && stdin && tty && !cli.in.isTTY) throw new StatusError(1, 'the input device is not a TTY');
    await client.containerInspect(container);
    const consoleSize = tty ? terminalSize(cli.out) : undefined;
    const { Id: execId } = await client.execCreate(container, {
      User: flags.string('user'),
      Privileged: flags.bool('privileged'),
      Tty: tty,
      ConsoleSize: consoleSize ?? null,
      AttachStdin: stdin,
      AttachStdout: !detach,
      AttachStderr: !detach,
      DetachKeys: detachKeys ?? '',
      Env: envList(flags),
      WorkingDir: flags.string('workdir'),
      Cmd: cmd,
    });
    if (!execId) throw new Error('exec ID empty');
    if (detach) {
      await client.execStart(execId, { Detach: true, Tty: tty, ConsoleSize: consoleSize });
      return 0;
    }
    const hijacked = await client.execAttach(execId, { Tty: tty, ConsoleSize: consoleSize });
    const done = streamHijacked(hijacked, { stdin: stdin ? cli.in : null, stdout: cli.out, stderr: tty ? cli.out : cli.err, tty, detachKeys });
    const stopResize = keepTtySized(cli, tty && Boolean(cli.in.isTTY), (h, w) => client.execResize(execId, h, w));
    try {
      if ((await done) === 'detached') throw new Error('read escape sequence');
    } finally {
      stopResize();
    }
    const inspect = await client.execInspect(execId);
    return inspect.ExitCode ?? 0;
  },
};
