// Attaching the terminal to a container (run, start -a, attach) and keeping its TTY sized.
import type { Cli } from '../command.js';
import { streamHijacked, type StreamEnd } from './hijack.js';
import { monitorTtySize } from './tty.js';

export interface AttachRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  detachKeys?: string;
}

export interface AttachSession {
  /** Settles when the output ends (or stdin ends with no output), or on the detach keys. */
  done: Promise<StreamEnd>;
  abort(): void;
}

export async function attachContainer(cli: Cli, id: string, req: AttachRequest): Promise<AttachSession> {
  const hijacked = await cli.client().containerAttach(id, {
    stream: true,
    stdin: req.stdin,
    stdout: req.stdout,
    stderr: req.stderr,
    detachKeys: req.detachKeys,
  });
  const done = streamHijacked(hijacked, {
    stdin: req.stdin ? cli.in : null,
    stdout: req.stdout ? cli.out : null,
    stderr: req.stderr ? (req.tty ? cli.out : cli.err) : null,
    tty: req.tty,
    detachKeys: req.detachKeys,
  });
  return { done, abort: () => hijacked.socket.destroy() };
}

/** With a TTY on a terminal: size it now and on SIGWINCH; returns the function that stops that. */
export function keepTtySized(cli: Cli, tty: boolean, resize: (h: number, w: number) => Promise<void>): () => void {
  if (!tty || !cli.out.isTTY) return () => {};
  return monitorTtySize(cli.out, cli.err, resize);
}

/**
 * Follows an attached session to its end, keeping the TTY sized meanwhile (start -a, attach):
 * 0 when the user detached, else the container's exit status from `result`.
 */
export async function attachedExitStatus(
  cli: Cli,
  id: string,
  tty: boolean,
  session: AttachSession,
  result: Promise<{ StatusCode: number; Error?: { Message: string } | null }>,
): Promise<number> {
  const stopResize = keepTtySized(cli, tty, (h, w) => cli.client().containerResize(id, h, w));
  try {
    if ((await session.done) === 'detached') return 0;
  } finally {
    stopResize();
  }
  return await exitStatus(cli, result);
}

/** A wait result as docker's waitExitOrRemoved reports it: the exit code, or 125 on an error. */
export async function exitStatus(cli: Cli, result: Promise<{ StatusCode: number; Error?: { Message: string } | null }>): Promise<number> {
  try {
    const r = await result;
    if (r.Error?.Message) {
      cli.err.write(`Error waiting for container: ${r.Error.Message}\n`);
      return 125;
    }
    return r.StatusCode;
  } catch (err) {
    cli.err.write(`error waiting for container: ${(err as Error).message}\n`);
    return 125;
  }
}
