// berth cp / container cp: docker's copy between a container and the local file system. The
// daemon only stats, archives and extracts; where a copy lands is decided here, as the docker
// CLI decides it (src/archive/copy.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  copyInfoSourcePath,
  copyTo,
  GO_MODE,
  goClean,
  goFileMode,
  goPathError,
  getRebaseName,
  hasModeBit,
  prepareArchiveCopy,
  preserveTrailingDotOrSeparator,
  rebaseArchiveEntries,
  splitPathDirEntry,
  tarResource,
  type CopyInfo,
} from '../../../archive/copy.js';
import { isNotFound } from '../../../client/errors.js';
import { boolFlag, PROG, type Cli, type Command } from '../../command.js';

interface CopyRequest {
  container: string;
  sourcePath: string;
  destinationPath: string;
  followLink: boolean;
  copyUIDGID: boolean;
}

/**
 * `CONTAINER:PATH` or a local path. A local path with a colon must start with `/` or `.`
 * (`./file:name`), as in scp.
 */
function splitCopyArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** An absolute local path that keeps the trailing `/` or `/.` the user wrote. */
function resolveLocalPath(localPath: string): string {
  return preserveTrailingDotOrSeparator(path.resolve(localPath), localPath);
}

/** A 404 from the archive endpoints, in the docker CLI's words. */
async function withPathNotFound<T>(container: string, containerPath: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isNotFound(err)) throw new Error(`Error: No such container:path: ${container}:${containerPath}`);
    throw err;
  }
}

/** A device or an irregular file cannot be a copy's destination (command.ValidateOutputPathFileMode). */
function outputModeProblem(mode: number): string | undefined {
  if (hasModeBit(mode, GO_MODE.device)) return 'got a device';
  if (hasModeBit(mode, GO_MODE.irregular)) return 'got an irregular file';
  return undefined;
}

/** command.ValidateOutputPath: the destination's directory exists, and the destination is no device. */
async function validateOutputPath(destination: string): Promise<void> {
  const dir = path.dirname(goClean(destination));
  if (dir !== '.' && !(await fs.stat(dir).catch(() => undefined))) throw new Error(`invalid output path: directory "${dir}" does not exist`);
  const st = await fs.stat(destination).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw goPathError(err);
  });
  const problem = st && outputModeProblem(goFileMode(st.mode));
  if (problem) throw new Error(`invalid output path: "${destination}" must be a directory or a regular file: ${problem}`);
}

async function copyFromContainer(cli: Cli, request: CopyRequest): Promise<void> {
  const client = cli.client();
  let { sourcePath } = request;
  let destination = request.destinationPath;
  if (destination !== '-') destination = resolveLocalPath(destination);
  await validateOutputPath(destination);
  // -L: copy what a symlink points to, under the link's name.
  let rebaseName = '';
  if (request.followLink) {
    const stat = await client.containerStatPath(request.container, sourcePath).catch(() => undefined);
    if (stat && hasModeBit(stat.mode, GO_MODE.symlink)) {
      const target = stat.linkTarget.startsWith('/') ? stat.linkTarget : path.join(splitPathDirEntry(sourcePath).dir, stat.linkTarget);
      ({ resolved: sourcePath, rebaseName } = getRebaseName(sourcePath, target));
    }
  }
  const { content, stat } = await withPathNotFound(request.container, sourcePath, () => client.copyFromContainer(request.container, sourcePath));
  if (destination === '-') {
    await pipeline(content, cli.out, { end: false });
    return;
  }
  const source: CopyInfo = { path: sourcePath, exists: true, isDir: hasModeBit(stat.mode, GO_MODE.dir), rebaseName };
  // The daemon named the entries after the link's target: give them the link's name.
  const archive = rebaseName ? rebaseArchiveEntries(content, splitPathDirEntry(sourcePath).base, rebaseName) : content;
  await copyTo(archive, source, destination);
}

async function copyToContainer(cli: Cli, request: CopyRequest): Promise<void> {
  const client = cli.client();
  const { container } = request;
  let { sourcePath } = request;
  const { destinationPath } = request;
  if (sourcePath !== '-') sourcePath = resolveLocalPath(sourcePath);

  // What the destination is decides where the archive is extracted; a failed stat is taken
  // as a destination to create (the extraction then tells whether its parent exists).
  const destination: CopyInfo = { path: destinationPath, exists: false, isDir: false, rebaseName: '' };
  let stat = await client.containerStatPath(container, destinationPath).catch(() => undefined);
  if (stat && hasModeBit(stat.mode, GO_MODE.symlink)) {
    destination.path = stat.linkTarget.startsWith('/') ? stat.linkTarget : path.join(splitPathDirEntry(destinationPath).dir, stat.linkTarget);
    stat = await client.containerStatPath(container, destination.path).catch(() => undefined);
  }
  const problem = outputModeProblem(stat?.mode ?? 0);
  if (problem) throw new Error(`destination "${container}:${destinationPath}" must be a directory or a regular file: ${problem}`);
  if (stat) Object.assign(destination, { exists: true, isDir: hasModeBit(stat.mode, GO_MODE.dir) });

  if (sourcePath === '-') {
    if (!destination.isDir) throw new Error(`destination "${container}:${destinationPath}" must be a directory`);
    await withPathNotFound(container, destination.path, () => client.copyToContainer(container, destination.path, cli.in, { copyUIDGID: request.copyUIDGID }));
    return;
  }
  const source = await copyInfoSourcePath(sourcePath, request.followLink);
  const prepared = prepareArchiveCopy(tarResource(source), source, destination);
  await withPathNotFound(container, prepared.dstDir, () => client.copyToContainer(container, prepared.dstDir, prepared.content, { copyUIDGID: request.copyUIDGID }));
}

export const cpCommand: Command = {
  name: 'cp',
  use: `[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\t${PROG} cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
  short: 'Copy files/folders between a container and the local filesystem',
  flags: [boolFlag('archive', 'a', 'Archive mode (copy all uid/gid information)'), boolFlag('follow-link', 'L', 'Always follow symbol link in SRC_PATH')],
  args: { exact: 2 },
  async run(cli, flags, [sourceArg, destinationArg]) {
    if (sourceArg === '') throw new Error('source can not be empty');
    if (destinationArg === '') throw new Error('destination can not be empty');
    const source = splitCopyArg(sourceArg);
    const destination = splitCopyArg(destinationArg);
    if (source.container && destination.container) throw new Error('copying between containers is not supported');
    if (!source.container && !destination.container) throw new Error('must specify at least one container source');
    const request = {
      container: source.container || destination.container,
      sourcePath: source.path,
      destinationPath: destination.path,
      followLink: flags.bool('follow-link'),
      copyUIDGID: flags.bool('archive'),
    };
    await (source.container ? copyFromContainer(cli, request) : copyToContainer(cli, request));
  },
};
