// berth network ls: docker's network formatter (NETWORK ID, NAME, DRIVER, SCOPE), natural
// order by name, -q, --no-trunc, --format.
import type { NetworkResource } from '../../../api/types.js';
import { FORMAT_HELP, boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { listFormat, rowContext, writeFormatted } from '../../util/output.js';
import { naturalCompare } from '../../util/sortorder.js';
import { truncateId } from '../../../common/units.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const RAW_FORMAT = 'network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n';

export const networkHeaders: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Go's time.Time.String() of an RFC 3339 time as the API sends it: the daemon's offset is
 * kept ("+0000 UTC" for Z), the fraction printed without trailing zeros.
 */
export function goTimeOfRfc3339(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return text;
  const fraction = m[3] ? m[3].replace(/0+$/, '') : '';
  const base = `${m[1]} ${m[2]}${fraction ? `.${fraction}` : ''}`;
  if (m[4] === 'Z') return `${base} +0000 UTC`;
  const offset = m[4].replace(':', '');
  // a parsed offset that is the local zone's prints the zone's name; any other prints itself
  const localMinutes = -new Date(`${m[1]}T${m[2]}${m[4]}`).getTimezoneOffset();
  const sign = localMinutes < 0 ? '-' : '+';
  const local = `${sign}${pad(Math.trunc(Math.abs(localMinutes) / 60))}${pad(Math.abs(localMinutes) % 60)}`;
  if (local === offset) {
    const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date(text)).find((p) => p.type === 'timeZoneName')?.value;
    return `${base} ${offset} ${zone ?? offset}`;
  }
  return `${base} ${offset} ${offset}`;
}

/** The fields `--format` sees for a network (docker's networkContext). */
export function networkContext(n: NetworkResource, trunc: boolean): Record<string, unknown> {
  const labels = n.Labels ?? {};
  return rowContext({
    CreatedAt: goTimeOfRfc3339(n.Created),
    Driver: n.Driver,
    ID: trunc ? truncateId(n.Id) : n.Id,
    // EnableIPv4 is API 1.47's; docker 28 prints false when the daemon does not send it
    IPv4: String(Boolean((n as { EnableIPv4?: boolean }).EnableIPv4)),
    IPv6: String(Boolean(n.EnableIPv6)),
    Internal: String(Boolean(n.Internal)),
    Labels: Object.keys(labels)
      .map((k) => `${k}=${labels[k]}`)
      .sort()
      .join(','),
    Name: n.Name,
    Scope: n.Scope,
    Label: (name: string) => labels[name] ?? '',
  });
}

/** The template for `--format` (and -q): docker's NewNetworkFormat. */
const NETWORK_FORMATS = { table: DEFAULT_TABLE, quietTable: '{{.ID}}', raw: RAW_FORMAT, quietRaw: 'network_id: {{.ID}}' };

export const networkListCommand: Command = {
  name: 'ls',
  aliases: ['list'],
  use: '[OPTIONS]',
  short: 'List networks',
  flags: [
    listFlag('filter', 'f', 'Provide filter values (e.g. "driver=bridge")', 'filter'),
    stringFlag('format', undefined, FORMAT_HELP),
    boolFlag('no-trunc', undefined, 'Do not truncate the output'),
    boolFlag('quiet', 'q', 'Only display network IDs'),
  ],
  args: { max: 0 },
  async run(cli, flags) {
    const networks = await cli.client().networkList(parseFilters(flags.list('filter')));
    networks.sort((a, b) => naturalCompare(a.Name, b.Name));
    const trunc = !flags.bool('no-trunc');
    const template = listFormat(flags.string('format'), flags.bool('quiet'), NETWORK_FORMATS);
    writeFormatted(cli, template, networks.map((n) => networkContext(n, trunc)), networkHeaders, '*network.networkContext');
  },
};
