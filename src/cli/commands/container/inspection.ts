// berth top, diff and export: a container's processes, file system changes and file system.
import { stringFlag, type Command } from '../../command.js';
import { tabwrite } from '../../format/tabwriter.js';
import { writeArchive } from '../../util/archive-output.js';

export const topCommand: Command = {
  name: 'top',
  use: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  flags: [],
  args: { min: 1 },
  // What follows the container is ps's, flags included.
  interspersed: false,
  async run(cli, _flags, [container, ...psArgs]) {
    const { Titles, Processes } = await cli.client().containerTop(container, psArgs);
    // docker's top table: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
    const lines = [Titles, ...Processes].map((cells) => `${cells.join('\t')}\n`).join('');
    cli.out.write(tabwrite(lines, { minwidth: 20, tabwidth: 1, padding: 3, padchar: ' ', flags: 0 }));
  },
};

const CHANGE_LETTERS = ['C', 'A', 'D'];

export const diffCommand: Command = {
  name: 'diff',
  use: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  flags: [],
  args: { exact: 1 },
  async run(cli, _flags, [container]) {
    // In the daemon's order, as docker prints them.
    for (const change of (await cli.client().containerChanges(container)) ?? []) cli.out.write(`${CHANGE_LETTERS[change.Kind]} ${change.Path}\n`);
  },
};

export const exportCommand: Command = {
  name: 'export',
  use: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  flags: [stringFlag('output', 'o', 'Write to a file, instead of STDOUT')],
  args: { exact: 1 },
  async run(cli, flags, [container]) {
    await writeArchive(cli, flags.string('output'), 'failed to export container', () => cli.client().containerExport(container));
  },
};
