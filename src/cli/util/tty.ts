import { spawnSync } from 'node:child_process';

// Terminal helpers: raw mode for stdin, the terminal size, and resizing a container/exec TTY
// now and on every SIGWINCH.

export function terminalSize(out: NodeJS.WriteStream): [number, number] | undefined {
  return out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : undefined;
}

/**
 * Puts the terminal in raw mode (when stdin is one), output processing included as docker
 * does (libuv's raw mode keeps OPOST, which would turn the container's \r\n into \r\r\n);
 * returns the function that restores it.
 */
export function setRawInput(input: NodeJS.ReadStream): () => void {
  if (!input.isTTY) return () => {};
  input.setRawMode(true);
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  let restored = false;
  return () => {
    if (!restored) input.setRawMode(false);
    restored = true;
  };
}

/**
 * Sends the terminal size now and on every SIGWINCH, as docker's MonitorTtySize: a first
 * failure (the process may not be up yet) is retried in the background, ten times, before
 * "failed to resize tty, using default size". Returns the function that stops watching.
 */
export function monitorTtySize(out: NodeJS.WriteStream, err: NodeJS.WritableStream, resize: (h: number, w: number) => Promise<void>): () => void {
  const send = () => {
    const size = terminalSize(out);
    return size ? resize(size[0], size[1]) : Promise.resolve();
  };
  let stopped = false;
  void send().catch(async () => {
    for (let retry = 0; retry < 10; retry++) {
      await new Promise((resolve) => setTimeout(resolve, (retry + 1) * 10));
      if (stopped) return;
      try {
        await send();
        return;
      } catch {
        // retried
      }
    }
    err.write('failed to resize tty, using default size\n');
  });
  const onWinch = () => void send().catch(() => {});
  process.on('SIGWINCH', onWinch);
  return () => {
    stopped = true;
    process.off('SIGWINCH', onWinch);
  };
}
