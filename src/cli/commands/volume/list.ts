// berth volume ls: docker's volume formatter (DRIVER, VOLUME NAME), natural order by name, -q, --format.
import type { Volume } from '../../../api/types.js';
import { FORMAT_HELP, boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { listFormat, rowContext, writeFormatted } from '../../util/output.js';
import { naturalCompare } from '../../util/sortorder.js';

const DEFAULT_TABLE = 'table {{.Driver}}\t{{.Name}}';
const RAW_FORMAT = 'name: {{.Name}}\ndriver: {{.Driver}}\n';

const volumeHeaders: Record<string, string> = {
  Name: 'VOLUME NAME',
  Group: 'GROUP',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Status: 'STATUS',
};

/** The fields `--format` sees for a volume (docker's volumeContext); cluster and usage fields are N/A on API 1.41. */
function volumeContext(v: Volume): Record<string, unknown> {
  const labels = v.Labels ?? {};
  return rowContext({
    Availability: 'N/A',
    Driver: v.Driver,
    Group: 'N/A',
    Labels: Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(','),
    Links: 'N/A',
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: 'N/A',
    Status: 'N/A',
    Label: (name: string) => labels[name] ?? '',
  });
}

/** docker's NewVolumeFormat. */
const VOLUME_FORMATS = { table: DEFAULT_TABLE, quietTable: '{{.Name}}', raw: RAW_FORMAT, quietRaw: 'name: {{.Name}}' };

export const volumeListCommand: Command = {
  name: 'ls',
  aliases: ['list'],
  use: '[OPTIONS]',
  short: 'List volumes',
  flags: [
    // Swarm's (API 1.42): hidden, as docker hides it from older daemons.
    { ...boolFlag('cluster', undefined, 'Display only cluster volumes, and use cluster volume list formatting'), hidden: true },
    listFlag('filter', 'f', 'Provide filter values (e.g. "dangling=true")', 'filter'),
    stringFlag('format', undefined, FORMAT_HELP),
    boolFlag('quiet', 'q', 'Only display volume names'),
  ],
  args: { max: 0 },
  async run(cli, flags) {
    const { Volumes: all } = await cli.client().volumeList(parseFilters(flags.list('filter')));
    // berthd has no cluster volumes: --cluster lists none.
    const volumes = flags.bool('cluster') ? [] : [...(all ?? [])].sort((a, b) => naturalCompare(a.Name, b.Name));
    const template = listFormat(flags.string('format'), flags.bool('quiet'), VOLUME_FORMATS);
    writeFormatted(cli, template, volumes.map(volumeContext), volumeHeaders, '*formatter.volumeContext');
  },
};
