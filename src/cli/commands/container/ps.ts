// berth ps / container ls: docker's container formatter (columns, truncation, sizes, JSON).
import type { ContainerSummary } from '../../../api/types.js';
import { FORMAT_HELP, boolFlag, intFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { checkTemplate, rowContext, writeFormatted } from '../../util/output.js';
import { familiarName } from '../../util/reference.js';
import { displayablePorts } from '../../util/ports.js';
import { goTimeString } from '../../util/time.js';
import { ellipsis, humanDuration, humanSize, truncateId } from '../../../common/units.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export const containerHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

function imageName(c: ContainerSummary, trunc: boolean): string {
  if (!c.Image) return '<no image>';
  if (!trunc) return c.Image;
  if (truncateId(c.ImageID) === truncateId(c.Image)) return truncateId(c.Image);
  const at = c.Image.indexOf('@');
  return familiarName(at >= 0 ? c.Image.slice(0, at) : c.Image);
}

/** The fields `--format` sees for a container (docker's ContainerContext). */
export function containerContext(c: ContainerSummary, trunc: boolean, now = Date.now()): Record<string, unknown> {
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  const labels = c.Labels ?? {};
  const srw = humanSize(c.SizeRw ?? 0, 3);
  return rowContext({
    Command: JSON.stringify(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: imageName(c, trunc),
    Labels: Object.keys(labels)
      .map((k) => `${k}=${labels[k]}`)
      .sort()
      .join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Mounts: (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source)).join(','),
    Names: trunc ? (names.find((n) => !n.includes('/')) ?? '') : names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: `${humanDuration(now - c.Created * 1000)} ago`,
    Size: c.SizeRootFs ? `${srw} (virtual ${humanSize(c.SizeRootFs, 3)})` : srw,
    State: c.State,
    Status: c.Status,
    Label: (name: string) => labels[name] ?? '',
  });
}

const GO_TYPE = '*formatter.ContainerContext';
const EMPTY_SUMMARY = { Id: '', Names: [], Image: '', ImageID: '', Command: '', Created: 0, State: '', Status: '' } as unknown as ContainerSummary;

export const psCommand: Command = {
  name: 'ls',
  aliases: ['list', 'ps'],
  use: '[OPTIONS]',
  short: 'List containers',
  flags: [
    boolFlag('all', 'a', 'Show all containers (default shows just running)'),
    listFlag('filter', 'f', 'Filter output based on conditions provided', 'filter'),
    stringFlag('format', undefined, FORMAT_HELP),
    intFlag('last', 'n', 'Show n last created containers (includes all states)', -1),
    boolFlag('latest', 'l', 'Show the latest created container (includes all states)'),
    boolFlag('no-trunc', undefined, "Don't truncate output"),
    boolFlag('quiet', 'q', 'Only display container IDs'),
    boolFlag('size', 's', 'Display total file sizes'),
  ],
  args: { max: 0 },
  async run(cli, flags) {
    const quiet = flags.bool('quiet');
    const format = flags.string('format');
    if (format && quiet) cli.err.write('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    let limit = flags.int('last');
    if (flags.bool('latest') && limit === -1) limit = 1;
    let size = flags.bool('size');
    if (format) {
      checkTemplate(format, containerContext(EMPTY_SUMMARY, true), GO_TYPE);
      if (!quiet && !size && !flags.changed('size') && format.includes('.Size')) size = true;
    }
    const containers = await cli.client().containerList({
      all: flags.bool('all'),
      limit: limit !== -1 ? limit : undefined,
      size,
      filters: parseFilters(flags.list('filter')),
    });
    let template = format;
    if (quiet) template = '{{.ID}}';
    else if (!format || format === 'table') template = DEFAULT_TABLE + (size ? '\t{{.Size}}' : '');
    const trunc = !flags.bool('no-trunc');
    const now = Date.now();
    writeFormatted(cli, template, containers.map((c) => containerContext(c, trunc, now)), containerHeaders, GO_TYPE);
  },
};
