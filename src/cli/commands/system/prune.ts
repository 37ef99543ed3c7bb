// container prune and image prune, with docker's confirmation prompt.
import type { Cli, Command } from '../../command.js';
import { boolFlag, listFlag, StatusError } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { humanSize } from '../../../common/units.js';

/** Asks `message [y/N] ` and reads one line of stdin; only y/Y confirms. */
export async function confirm(cli: Cli, message: string): Promise<boolean> {
  cli.out.write(`${message} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) done(text.slice(0, nl));
    };
    const done = (answer: string) => {
      cli.in.off('data', onData);
      cli.in.off('end', onEnd);
      cli.in.pause();
      resolve(answer);
    };
    const onEnd = () => done(text);
    cli.in.on('data', onData);
    cli.in.on('end', onEnd);
  });
  const answer = line.trim().toLowerCase();
  return answer === 'y';
}

const pruneFlags = [boolFlag('force', 'f', 'Do not prompt for confirmation'), listFlag('filter', undefined, 'Provide filter values (e.g. "until=<timestamp>")', 'filter')];

export const containerPruneCommand: Command = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove all stopped containers',
  flags: pruneFlags,
  args: { max: 0 },
  async run(cli, flags) {
    const filters = parseFilters(flags.list('filter'));
    if (!flags.bool('force') && !(await confirm(cli, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) throw new StatusError(0);
    const report = await cli.client().containerPrune(filters);
    const deleted = report.ContainersDeleted ?? [];
    if (deleted.length) cli.out.write(`Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n`);
    cli.out.write(`Total reclaimed space: ${humanSize(deleted.length ? report.SpaceReclaimed : 0)}\n`);
  },
};

export const imagePruneCommand: Command = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove unused images',
  flags: [boolFlag('all', 'a', 'Remove all unused images, not just dangling ones'), ...pruneFlags],
  args: { max: 0 },
  async run(cli, flags) {
    const all = flags.bool('all');
    const filters = parseFilters(flags.list('filter'));
    filters.set('dangling', [String(!all)]);
    const warning = all
      ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?'
      : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
    if (!flags.bool('force') && !(await confirm(cli, warning))) throw new StatusError(0);
    const report = await cli.client().imagePrune(filters);
    const deleted = report.ImagesDeleted ?? [];
    if (deleted.length) {
      const lines = deleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`)).join('');
      cli.out.write(`Deleted Images:\n${lines}\n`);
    }
    cli.out.write(`Total reclaimed space: ${humanSize(deleted.length ? report.SpaceReclaimed : 0)}\n`);
  },
};
