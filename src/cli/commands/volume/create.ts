// berth volume create: docker's flags (without swarm's cluster-volume ones) and request.
import type { VolumeCreateRequest } from '../../../api/types.js';
import { listFlag, stringFlag, type Command } from '../../command.js';
import type { Flags } from '../../flags.js';
import { labelsMap } from '../../util/container-opts.js';
import { mapFlag, mapValues, validateLabel } from '../network/create.js';

/** The body docker sends: empty maps and an empty name left out (omitempty). */
export function buildVolumeCreateRequest(name: string, flags: Flags): VolumeCreateRequest {
  const options = mapValues(flags, 'opt');
  const labels = labelsMap(flags.list('label'));
  return {
    Driver: flags.string('driver'),
    ...(Object.keys(options).length ? { DriverOpts: options } : {}),
    ...(Object.keys(labels).length ? { Labels: labels } : {}),
    ...(name ? { Name: name } : {}),
  };
}

export const volumeCreateCommand: Command = {
  name: 'create',
  use: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  flags: [
    stringFlag('driver', 'd', 'Specify volume driver name', 'local'),
    { ...listFlag('label', undefined, 'Set metadata for a volume'), validate: validateLabel },
    { ...stringFlag('name', undefined, 'Specify volume name'), hidden: true },
    mapFlag('opt', 'o', 'Set driver specific options'),
  ],
  args: { max: 1 },
  async run(cli, flags, args) {
    if (args.length && flags.string('name')) throw new Error('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
    const volume = await cli.client().volumeCreate(buildVolumeCreateRequest(args[0] ?? flags.string('name'), flags));
    cli.out.write(`${volume.Name}\n`);
  },
};
