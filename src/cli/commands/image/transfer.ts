// import, load, save, pull: moving images in and out of the daemon.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { writeArchive } from '../../util/archive-output.js';
import { showProgress } from '../../util/progress.js';
import { pullImage } from '../../util/pull.js';
import { parseNormalized, withDefaultTag } from '../../util/reference.js';

/** Opens a file for reading, failing with Go's "open <path>: no such file or directory". */
async function openInput(path: string): Promise<Readable> {
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(`open ${path}: no such file or directory`) : err));
  });
  return stream;
}

export const importCommand: Command = {
  name: 'import',
  use: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  flags: [
    listFlag('change', 'c', 'Apply Dockerfile instruction to the created image'),
    stringFlag('message', 'm', 'Set commit message for imported image'),
    stringFlag('platform', undefined, 'Set platform if server is multi-platform capable'),
  ],
  args: { min: 1, max: 2 },
  async run(cli, flags, [source, reference]) {
    let body: Readable | undefined;
    let fromSrc = '-';
    if (source === '-') body = cli.in;
    else if (/^https?:\/\//.test(source)) fromSrc = source;
    else body = await openInput(source);
    if (reference) parseNormalized(reference);
    const res = await cli.client().imageCreate(
      { fromSrc, repo: reference ?? '', tag: '', message: flags.string('message'), platform: flags.string('platform') || undefined, changes: flags.list('change') },
      body,
    );
    await showProgress(res, cli.out);
  },
};

export const loadCommand: Command = {
  name: 'load',
  use: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  flags: [stringFlag('input', 'i', 'Read from tar archive file, instead of STDIN'), boolFlag('quiet', 'q', 'Suppress the load output')],
  args: { max: 0 },
  async run(cli, flags) {
    const input = flags.string('input');
    if (!input && cli.in.isTTY) throw new Error('requested load from stdin, but stdin is empty');
    const body = input ? await openInput(input) : cli.in;
    const res = await cli.client().imageLoad(body, flags.bool('quiet') || !cli.out.isTTY);
    if (String(res.headers['content-type']).startsWith('application/json')) await showProgress(res, cli.out);
    else await pipeline(res, cli.out, { end: false });
  },
};

export const saveCommand: Command = {
  name: 'save',
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [stringFlag('output', 'o', 'Write to a file, instead of STDOUT')],
  args: { min: 1 },
  async run(cli, flags, images) {
    await writeArchive(cli, flags.string('output'), 'failed to save image', () => cli.client().imageSave(images));
  },
};

export const pullCommand: Command = {
  name: 'pull',
  use: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  flags: [
    stringFlag('platform', undefined, 'Set platform if server is multi-platform capable'),
    boolFlag('quiet', 'q', 'Suppress verbose output'),
  ],
  args: { exact: 1 },
  async run(cli, flags, [image]) {
    await pullImage(cli, image, flags.bool('quiet') ? null : cli.out, flags.string('platform') || undefined);
    const ref = withDefaultTag(image);
    cli.out.write(`${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}\n`);
  },
};
