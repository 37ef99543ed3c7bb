// berth network inspect, rm, connect, disconnect and prune.
import type { EndpointIPAMConfig } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import { INSPECT_FORMAT_HELP, StatusError, boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { parseLink } from '../../../network/links.js';
import { confirm } from '../system/prune.js';
import { inspectAll } from '../system/inspect.js';
import { stringsFlag, stringsValues } from './create.js';

export const networkInspectCommand: Command = {
  name: 'inspect',
  use: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  flags: [stringFlag('format', 'f', INSPECT_FORMAT_HELP), boolFlag('verbose', 'v', 'Verbose output for diagnostics')],
  args: { min: 1 },
  async run(cli, flags, args) {
    const verbose = flags.bool('verbose');
    await inspectAll(cli, args, flags.string('format'), (ref) => cli.client().networkInspectRaw(ref, verbose));
  },
};

const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

export const networkRemoveCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  use: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  flags: [boolFlag('force', 'f', 'Do not error if the network does not exist')],
  args: { min: 1 },
  async run(cli, flags, args) {
    const client = cli.client();
    let status = 0;
    for (const name of args) {
      // an ingress network asks first, as docker does
      const network = await client.networkInspect(name).catch(() => undefined);
      if (network?.Ingress && !(await confirm(cli, INGRESS_WARNING))) continue;
      try {
        await client.networkRemove(name);
      } catch (err) {
        if (flags.bool('force') && isNotFound(err)) continue;
        cli.err.write(`${(err as Error).message}\n`);
        status = 1;
        continue;
      }
      cli.out.write(`${name}\n`);
    }
    // docker 28 reports the status too (cli.StatusError with Status "exit status 1")
    if (status) throw new StatusError(status, `exit status ${status}`);
  },
};

export const networkConnectCommand: Command = {
  name: 'connect',
  use: '[OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  flags: [
    stringsFlag('alias', undefined, 'Add network-scoped alias for the container'),
    stringsFlag('driver-opt', undefined, 'driver options for the network'),
    stringFlag('ip', undefined, 'IPv4 address (e.g., "172.30.100.104")'),
    stringFlag('ip6', undefined, 'IPv6 address (e.g., "2001:db8::33")'),
    { ...listFlag('link', undefined, 'Add link to another container'), validate: (v) => void parseLink(v) },
    stringsFlag('link-local-ip', undefined, 'Add a link-local address for the container'),
  ],
  args: { exact: 2 },
  async run(cli, flags, [network, container]) {
    const driverOpts: Record<string, string> = {};
    for (const opt of stringsValues(flags, 'driver-opt')) {
      const eq = opt.indexOf('=');
      if (eq < 0) throw new Error('invalid key/value pair format in driver options');
      driverOpts[opt.slice(0, eq).trim()] = opt.slice(eq + 1).trim();
    }
    const links = flags.list('link');
    const linkLocalIPs = stringsValues(flags, 'link-local-ip');
    const ipam: EndpointIPAMConfig = {};
    if (flags.string('ip')) ipam.IPv4Address = flags.string('ip');
    if (flags.string('ip6')) ipam.IPv6Address = flags.string('ip6');
    if (linkLocalIPs.length) ipam.LinkLocalIPs = linkLocalIPs;
    await cli.client().networkConnect(network, {
      Container: container,
      EndpointConfig: {
        IPAMConfig: ipam,
        Links: links.length ? links : null,
        Aliases: stringsValues(flags, 'alias'),
        MacAddress: '',
        DriverOpts: driverOpts,
      },
    });
  },
};

export const networkDisconnectCommand: Command = {
  name: 'disconnect',
  use: '[OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  flags: [boolFlag('force', 'f', 'Force the container to disconnect from a network')],
  args: { exact: 2 },
  async run(cli, flags, [network, container]) {
    await cli.client().networkDisconnect(network, { Container: container, Force: flags.bool('force') });
  },
};

export const networkPruneCommand: Command = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove all unused networks',
  flags: [listFlag('filter', undefined, 'Provide filter values (e.g. "until=<timestamp>")', 'filter'), boolFlag('force', 'f', 'Do not prompt for confirmation')],
  args: { max: 0 },
  async run(cli, flags) {
    const filters = parseFilters(flags.list('filter'));
    if (!flags.bool('force') && !(await confirm(cli, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?')))
      throw new StatusError(0);
    const report = await cli.client().networkPrune(filters);
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length) cli.out.write(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  },
};
