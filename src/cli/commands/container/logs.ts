// berth logs: a TTY container's log is raw, any other is multiplexed (so inspect first).
import { pipeline } from 'node:stream/promises';
import { boolFlag, stringFlag, type Command } from '../../command.js';
import { StdDemuxer } from '../../../client/stdcopy.js';
import { getTimestamp } from '../../util/time.js';

function timestampParam(name: string, value: string): string | undefined {
  if (!value) return undefined;
  try {
    return getTimestamp(value);
  } catch (err) {
    throw new Error(`invalid value for "${name}": ${(err as Error).message}`);
  }
}

export const logsCommand: Command = {
  name: 'logs',
  use: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  flags: [
    boolFlag('details', undefined, 'Show extra details provided to logs'),
    boolFlag('follow', 'f', 'Follow log output'),
    stringFlag('since', undefined, 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    stringFlag('tail', 'n', 'Number of lines to show from the end of the logs', 'all'),
    boolFlag('timestamps', 't', 'Show timestamps'),
    stringFlag('until', undefined, 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
  ],
  args: { exact: 1 },
  async run(cli, flags, [name]) {
    const client = cli.client();
    const c = await client.containerInspect(name);
    const res = await client.containerLogs(c.Id, {
      stdout: true,
      stderr: true,
      since: timestampParam('since', flags.string('since')),
      until: timestampParam('until', flags.string('until')),
      timestamps: flags.bool('timestamps'),
      follow: flags.bool('follow'),
      tail: flags.string('tail'),
      details: flags.bool('details'),
    });
    if (c.Config.Tty) await pipeline(res, cli.out, { end: false });
    else await pipeline(res, new StdDemuxer(cli.out, cli.err));
  },
};
