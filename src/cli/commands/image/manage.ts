// rmi / image rm, tag, history.
import { isNotFound } from '../../../client/errors.js';
import { FORMAT_HELP, boolFlag, stringFlag, type Command } from '../../command.js';
import { rowContext, writeFormatted } from '../../util/output.js';
import { parseNormalized } from '../../util/reference.js';
import { rfc3339 } from '../../util/time.js';
import { ellipsis, humanDuration, humanSize, truncateId } from '../../../common/units.js';

export const rmiCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  flags: [boolFlag('force', 'f', 'Force removal of the image'), boolFlag('no-prune', undefined, 'Do not delete untagged parents')],
  args: { min: 1 },
  async run(cli, flags, args) {
    const force = flags.bool('force');
    const errors: string[] = [];
    let fatal = false;
    for (const image of args) {
      try {
        for (const item of await cli.client().imageRemove(image, { force, noprune: flags.bool('no-prune') })) {
          cli.out.write(item.Deleted ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged}\n`);
        }
      } catch (err) {
        if (!isNotFound(err)) fatal = true;
        errors.push((err as Error).message);
      }
    }
    if (!errors.length) return;
    if (!force || fatal) throw new Error(errors.join('\n'));
    cli.err.write(`${errors.join('\n')}\n`);
  },
};

export const tagCommand: Command = {
  name: 'tag',
  use: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [],
  args: { exact: 2 },
  async run(cli, _flags, [source, target]) {
    let ref;
    try {
      ref = parseNormalized(target);
    } catch (err) {
      throw new Error(`Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${(err as Error).message}`);
    }
    if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
    await cli.client().imageTag(source, ref.name, ref.tag);
  },
};

const historyHeaders: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export const historyCommand: Command = {
  name: 'history',
  use: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  flags: [
    stringFlag('format', undefined, FORMAT_HELP),
    boolFlag('human', 'H', 'Print sizes and dates in human readable format', true),
    boolFlag('no-trunc', undefined, "Don't truncate output"),
    boolFlag('quiet', 'q', 'Only show image IDs'),
  ],
  args: { exact: 1 },
  async run(cli, flags, [image]) {
    const history = await cli.client().imageHistory(image);
    const human = flags.bool('human');
    const trunc = !flags.bool('no-trunc');
    let format = flags.string('format') || 'table';
    if (format === 'table') {
      if (flags.bool('quiet')) format = '{{.ID}}';
      else format = `table {{.ID}}\t{{.${human ? 'CreatedSince' : 'CreatedAt'}}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}`;
    }
    const now = Date.now();
    const rows = history.map((h) => {
      const createdBy = h.CreatedBy.replaceAll('\t', ' ');
      return rowContext({
        Comment: h.Comment,
        CreatedAt: rfc3339(h.Created),
        CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
        CreatedSince: human ? `${humanDuration(now - h.Created * 1000)} ago` : rfc3339(h.Created),
        ID: trunc ? truncateId(h.Id) : h.Id,
        Size: human ? humanSize(h.Size, 3) : String(h.Size),
      });
    });
    writeFormatted(cli, format, rows, historyHeaders, '*image.historyContext');
  },
};
