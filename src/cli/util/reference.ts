// Image references as distribution/reference parses them: validation, normalisation
// ("busybox" → docker.io/library/busybox) and the familiar form that drops it again.

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export interface ImageRef {
  /** The full name, domain included (docker.io/library/busybox). */
  name: string;
  tag?: string;
  digest?: string;
}

function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return ['docker.io', name.includes('/') ? name : `library/${name}`];
  }
  const rest = name.slice(slash + 1);
  return [first === 'index.docker.io' ? 'docker.io' : first, first === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest];
}

/** reference.ParseNormalizedNamed; throws Go's messages ("invalid reference format..."). */
export function parseNormalized(ref: string): ImageRef {
  if (/^[a-f0-9]{64}$/.test(ref)) throw new Error(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  const [domain, remainder] = splitDomain(ref);
  const remote = remainder.replace(/[:@].*$/, '');
  if (remote.toLowerCase() !== remote) throw new Error(`invalid reference format: repository name (${remote}) must be lowercase`);
  const m = REFERENCE.exec(`${domain}/${remainder}`);
  if (!m) throw new Error('invalid reference format');
  return { name: m[1], tag: m[2], digest: m[3] };
}

export function familiarName(name: string): string {
  const [domain, path] = splitDomain(name);
  if (domain !== 'docker.io') return `${domain}/${path}`;
  return path.startsWith('library/') && path.split('/').length === 2 ? path.slice('library/'.length) : path;
}

/** The reference with ":latest" added when it has neither tag nor digest. */
export function withDefaultTag(ref: string): ImageRef {
  const parsed = parseNormalized(ref);
  if (!parsed.tag && !parsed.digest) parsed.tag = 'latest';
  return parsed;
}

export function familiarString(ref: ImageRef): string {
  return `${familiarName(ref.name)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
