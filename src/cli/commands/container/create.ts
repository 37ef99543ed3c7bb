// berth create, and the create-with-pull step that run shares.
import type { ContainerCreateRequest } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import { type Cli, type Command, StatusError } from '../../command.js';
import type { Flags } from '../../flags.js';
import { buildCreateRequest, containerFlags, type CreateInput } from '../../util/container-opts.js';
import { familiarWithTag, pullImage } from '../../util/pull.js';
import { terminalSize } from '../../util/tty.js';

const PULL_POLICIES = ['always', 'missing', 'never'];

/** A usage-level failure of run/create: "berth: <msg>" and the help hint, exit 125. */
export function usageFailure(cli: Cli, message: string): StatusError {
  return new StatusError(125, `berth: ${message}\n\nRun '${cli.commandPath} --help' for more information`);
}

/** Validates --pull and builds the create request; failures are usage failures. */
export function parseCreateInput(cli: Cli, flags: Flags, args: string[], tweak?: (req: ContainerCreateRequest) => void): CreateInput {
  const pull = flags.string('pull');
  if (!PULL_POLICIES.includes(pull)) throw usageFailure(cli, `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  try {
    const tty = flags.bool('tty');
    const input = buildCreateRequest(flags, args[0], args.slice(1), tty ? terminalSize(cli.out) : undefined);
    tweak?.(input.request);
    return input;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw usageFailure(cli, (err as Error).message);
  }
}

/**
 * POST /containers/create; with --pull=missing a missing image is pulled (progress on stderr)
 * and the create retried, with --pull=always it is pulled first. Prints the daemon's warnings.
 */
export async function createContainer(cli: Cli, flags: Flags, input: CreateInput): Promise<string> {
  const client = cli.client();
  const image = input.request.Image as string;
  const platform = flags.string('platform') || undefined;
  const pull = flags.string('pull');
  const quiet = flags.bool('quiet');
  const doPull = () => pullImage(cli, image, quiet ? null : cli.err, platform);

  if (pull === 'always') await doPull();
  let response;
  try {
    response = await client.containerCreate(input.request, input.name, platform);
  } catch (err) {
    if (!isNotFound(err) || pull !== 'missing') throw err;
    if (!quiet) cli.err.write(`Unable to find image '${familiarWithTag(image)}' locally\n`);
    await doPull();
    response = await client.containerCreate(input.request, input.name, platform);
  }
  for (const warning of response.Warnings ?? []) cli.err.write(`WARNING: ${warning}\n`);
  return response.Id;
}

export const createCommand: Command = {
  name: 'create',
  use: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  flags: containerFlags,
  args: { min: 1 },
  interspersed: false,
  noShortHelp: true,
  async run(cli, flags, args) {
    const input = parseCreateInput(cli, flags, args);
    cli.out.write(`${await createContainer(cli, flags, input)}\n`);
  },
};
