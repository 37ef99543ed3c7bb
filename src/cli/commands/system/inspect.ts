// berth inspect, container inspect, image inspect: JSON arrays indented like docker, or a
// template per object.
import { isNotFound } from '../../../client/errors.js';
import { INSPECT_FORMAT_HELP, boolFlag, stringFlag, type Cli, type Command, StatusError } from '../../command.js';
import type { Flags } from '../../flags.js';
import { indentJson } from '../../util/json-indent.js';
import { renderObjects } from '../../util/output.js';

type Getter = (ref: string) => Promise<string>;

const TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

/** docker's inspect.Inspect: every reference in order, errors collected, output flushed at the end. */
export async function inspectAll(cli: Cli, refs: string[], format: string, get: Getter): Promise<void> {
  const raws: string[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      raws.push((await get(ref)).trim());
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (!format) cli.out.write(raws.length ? `${indentJson(`[${raws.join(',')}]`)}\n` : '[]\n');
  else if (format === 'json') cli.out.write(`[${raws.join(',')}]\n`);
  else {
    const result = renderObjects(format, raws.map((raw) => JSON.parse(raw)));
    cli.out.write(result.output);
    errors.push(...result.errors);
  }
  if (errors.length) throw new StatusError(1, errors.join('\n'));
}

const inspectFlags = (withType: boolean) => [
  stringFlag('format', 'f', INSPECT_FORMAT_HELP),
  boolFlag('size', 's', 'Display total file sizes if the type is container'),
  ...(withType ? [stringFlag('type', undefined, 'Only inspect objects of the given type')] : []),
];

function containerGetter(cli: Cli, flags: Flags): Getter {
  return (ref) => cli.client().containerInspectRaw(ref, flags.bool('size'));
}

function imageGetter(cli: Cli): Getter {
  return (ref) => cli.client().imageInspectRaw(ref);
}

function networkGetter(cli: Cli): Getter {
  return (ref) => cli.client().networkInspectRaw(ref);
}

function volumeGetter(cli: Cli): Getter {
  return (ref) => cli.client().volumeInspectRaw(ref);
}

export const inspectCommand: Command = {
  name: 'inspect',
  use: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  flags: inspectFlags(true),
  args: { min: 1 },
  async run(cli, flags, args) {
    const type = flags.string('type');
    if (type && !TYPES.includes(type)) throw new Error(`unknown type: ${JSON.stringify(type)}: must be one of ${TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
    let get: Getter;
    if (type === 'container') get = containerGetter(cli, flags);
    else if (type === 'image') get = imageGetter(cli);
    else if (type === 'network') get = networkGetter(cli);
    else if (type === 'volume') get = volumeGetter(cli);
    else if (type) throw new Error(`the ${type} type is not supported by this daemon`);
    else {
      const getters = [containerGetter(cli, flags), imageGetter(cli), networkGetter(cli), volumeGetter(cli)];
      get = async (ref) => {
        for (const g of getters) {
          try {
            return await g(ref);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        throw new Error(`Error: No such object: ${ref}`);
      };
    }
    await inspectAll(cli, args, flags.string('format'), get);
  },
};

export const containerInspectCommand: Command = {
  name: 'inspect',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  flags: inspectFlags(false),
  args: { min: 1 },
  async run(cli, flags, args) {
    await inspectAll(cli, args, flags.string('format'), containerGetter(cli, flags));
  },
};

export const imageInspectCommand: Command = {
  name: 'inspect',
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  flags: [stringFlag('format', 'f', INSPECT_FORMAT_HELP)],
  args: { min: 1 },
  async run(cli, flags, args) {
    await inspectAll(cli, args, flags.string('format'), imageGetter(cli));
  },
};
