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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the terminal size now (retrying briefly, as the process may not be up yet) and on
 * every SIGWINCH; returns the function that stops watching.
 */
export async function monitorTtySize(out: NodeJS.WriteStream, resize: (h: number, w: number) => Promise<void>): Promise<() => void> {
  const send = async () => {
    const size = terminalSize(out);
    if (size) await resize(size[0], size[1]);
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      break;
    } catch (err) {
      if (attempt >= 10) throw err;
      await sleep(10 * (attempt + 1));
    }
  }
  const onWinch = () => void send().catch(() => {});
  process.on('SIGWINCH', onWinch);
  return () => process.off('SIGWINCH', onWinch);
}
