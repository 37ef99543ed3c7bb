// Where `save` and `export` put their archive, as the docker CLI does: stdout (never a
// terminal), or the file of `-o`, checked before the request and written whole or not at
// all (moby's atomicwriter: a temporary file beside it, mode 0600, renamed over it).
import { createWriteStream, lstatSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cli } from '../command.js';

/** Writes the archive `fetch` gets to `output` (empty: stdout); `failure` heads docker's message for a bad path. */
export async function writeArchive(cli: Cli, output: string, failure: string, fetch: () => Promise<Readable>): Promise<void> {
  if (!output && cli.out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const problem = output ? outputPathProblem(output) : undefined;
  if (problem) throw new Error(`${failure}: ${problem}`);
  const archive = await fetch();
  if (!output) return pipeline(archive, cli.out, { end: false });
  const temp = path.join(path.dirname(output), `.tmp-${path.basename(output)}.${process.pid}`);
  try {
    await pipeline(archive, createWriteStream(temp, { mode: 0o600, flags: 'wx' }));
    await fs.rename(temp, output);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** Why `file` cannot take the archive, in moby's words (atomicwriter's validateDestination), or undefined. */
function outputPathProblem(file: string): string | undefined {
  const dir = path.dirname(file);
  if (dir !== '.' && dir !== '..') {
    try {
      if (!statSync(dir).isDirectory()) return `invalid output path: stat ${dir}: not a directory`;
    } catch (err) {
      return `invalid output path: ${goPathError('stat', dir, err)}`;
    }
  }
  let st;
  try {
    st = lstatSync(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `failed to stat output path: ${goPathError('lstat', file, err)}`;
  }
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'cannot write to a directory';
  if (st.isSymbolicLink()) return 'cannot write to a symbolic link directly';
  if (st.isFIFO()) return 'cannot write to a named pipe (FIFO)';
  if (st.isSocket()) return 'cannot write to a socket';
  return st.isCharacterDevice() ? 'cannot write to a character device file' : 'cannot write to a block device file';
}

/** Go's *PathError text: "stat /x: no such file or directory" (Node's message carries the same strerror). */
function goPathError(op: string, file: string, err: unknown): string {
  const message = (err as Error).message;
  return `${op} ${file}: ${/^[A-Z]+: ([^,]*)/.exec(message)?.[1] ?? message}`;
}
