// berth volume inspect, rm and prune.
import { compareVersions } from '../../../client/transport.js';
import { humanSize } from '../../../common/units.js';
import { INSPECT_FORMAT_HELP, StatusError, boolFlag, forEachTarget, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { inspectAll } from '../system/inspect.js';
import { confirm } from '../system/prune.js';

export const volumeInspectCommand: Command = {
  name: 'inspect',
  use: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  flags: [stringFlag('format', 'f', INSPECT_FORMAT_HELP)],
  args: { min: 1 },
  async run(cli, flags, args) {
    await inspectAll(cli, args, flags.string('format'), (name) => cli.client().volumeInspectRaw(name));
  },
};

export const volumeRemoveCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  use: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  flags: [boolFlag('force', 'f', 'Force the removal of one or more volumes')],
  args: { min: 1 },
  async run(cli, flags, args) {
    await forEachTarget(cli, args, (name) => cli.client().volumeRemove(name, flags.bool('force')));
  },
};

const ALL_VOLUMES_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';
const ANONYMOUS_VOLUMES_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';

export const volumePruneCommand: Command = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove unused local volumes',
  flags: [
    // API 1.42's: hidden, as docker hides it from older daemons (berthd speaks 1.41).
    { ...boolFlag('all', 'a', 'Remove all unused volumes, not just anonymous ones'), hidden: true },
    listFlag('filter', undefined, 'Provide filter values (e.g. "label=<label>")', 'filter'),
    boolFlag('force', 'f', 'Do not prompt for confirmation'),
  ],
  args: { max: 0 },
  async run(cli, flags) {
    const client = cli.client();
    const filters = parseFilters(flags.list('filter'));
    // API 1.42 prunes anonymous volumes unless asked for all; before it, prune takes every unused one.
    const apiVersion = await client.apiVersion();
    const selective = compareVersions(apiVersion, '1.42') >= 0;
    if (flags.bool('all')) {
      if (!selective) throw new Error(`"--all" requires API version 1.42, but the Docker daemon API version is ${apiVersion}`);
      if (filters.has('all')) throw new Error('conflicting options: cannot specify both --all and --filter all=1');
      filters.set('all', ['true']);
    }
    const warning = flags.bool('all') || !selective ? ALL_VOLUMES_WARNING : ANONYMOUS_VOLUMES_WARNING;
    if (!flags.bool('force') && !(await confirm(cli, warning))) throw new StatusError(0);
    const report = await client.volumePrune(filters);
    const deleted = report.VolumesDeleted ?? [];
    if (deleted.length) cli.out.write(`Deleted Volumes:\n${deleted.map((name) => `${name}\n`).join('')}\n`);
    cli.out.write(`Total reclaimed space: ${humanSize(deleted.length ? report.SpaceReclaimed : 0)}\n`);
  },
};
