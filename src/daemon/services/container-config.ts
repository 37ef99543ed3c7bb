import type { ContainerConfig, ImageRunConfig } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import { replaceOrAppendEnv } from '../../runtime/oci-spec.js';

/**
 * A container's config from the create request and its image's, merged as dockerd
 * does: the request wins; Env and Labels merge by key; the image's Cmd comes along
 * only when the request sets neither Entrypoint nor Cmd.
 */
export function mergeImageConfig(requested: ContainerConfig, image: ImageRunConfig, hostname: string): ContainerConfig {
  const config: ContainerConfig = { ...requested };
  config.Hostname ||= hostname;
  config.Domainname ??= '';
  config.User ||= image.User ?? '';
  config.WorkingDir ||= image.WorkingDir ?? '';
  config.Env = replaceOrAppendEnv(image.Env ?? [], requested.Env ?? []);
  config.Labels = { ...(image.Labels ?? {}), ...(requested.Labels ?? {}) };
  // ExposedPorts is left out when empty (omitempty in Docker's type), Volumes is null.
  config.ExposedPorts = unionKeys(image.ExposedPorts, requested.ExposedPorts) ?? undefined;
  config.Volumes = unionKeys(image.Volumes, requested.Volumes);
  config.StopSignal ||= image.StopSignal;
  config.Healthcheck ??= image.Healthcheck;
  config.OnBuild ??= image.OnBuild ?? null;
  config.Shell ??= image.Shell;
  const explicitEmptyEntrypoint = requested.Entrypoint?.length === 1 && requested.Entrypoint[0] === '';
  if (explicitEmptyEntrypoint) {
    config.Entrypoint = null;
  } else if (!requested.Entrypoint?.length) {
    if (!requested.Cmd?.length) config.Cmd = image.Cmd ?? null;
    config.Entrypoint = requested.Entrypoint === undefined || requested.Entrypoint === null ? image.Entrypoint ?? null : null;
  }
  config.Cmd ??= null;
  config.Tty = !!config.Tty;
  config.OpenStdin = !!config.OpenStdin;
  config.StdinOnce = !!config.StdinOnce;
  config.AttachStdin = !!config.AttachStdin;
  config.AttachStdout = !!config.AttachStdout;
  config.AttachStderr = !!config.AttachStderr;
  for (const key of Object.keys(config) as (keyof ContainerConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return config;
}

/** The union of two sets in Docker's map form; null when empty, as dockerd stores it. */
function unionKeys(a?: Record<string, object> | null, b?: Record<string, object> | null): Record<string, object> | null {
  const union = { ...(a ?? {}), ...(b ?? {}) };
  return Object.keys(union).length ? union : null;
}

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's container-name rule; returns the name with its leading slash. */
export function validateName(name: string): string {
  if (!VALID_NAME.test(name)) {
    throw badParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}

const ADJECTIVES = [
  'admiring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming',
  'clever', 'cool', 'compassionate', 'confident', 'dazzling', 'determined', 'eager', 'ecstatic', 'elastic', 'elegant',
  'epic', 'festive', 'focused', 'friendly', 'funny', 'gallant', 'gifted', 'goofy', 'happy', 'hopeful',
  'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'modest', 'nifty', 'nostalgic', 'peaceful',
  'pensive', 'quirky', 'relaxed', 'serene', 'sharp', 'silly', 'stoic', 'sweet', 'tender', 'vibrant',
  'wizardly', 'zealous',
];
const SURNAMES = [
  'agnesi', 'babbage', 'bell', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'fermat',
  'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'hamilton', 'hawking', 'hopper', 'hypatia', 'johnson',
  'kepler', 'knuth', 'lamport', 'liskov', 'lovelace', 'maxwell', 'mcclintock', 'meitner', 'newton', 'noether',
  'pascal', 'pasteur', 'perlman', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wilson', 'wozniak',
];

/** A random `adjective_surname` name not yet taken, like Docker's. */
export function generateName(taken: (name: string) => boolean): string {
  const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)];
  for (let attempt = 0; ; attempt++) {
    const name = `/${pick(ADJECTIVES)}_${pick(SURNAMES)}${attempt > 10 ? Math.floor(Math.random() * 10) : ''}`;
    if (!taken(name)) return name;
  }
}
