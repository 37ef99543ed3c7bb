// Image references as docker (distribution/reference) parses and normalises them:
// `busybox` is `docker.io/library/busybox:latest`; the "familiar" form drops the
// docker.io/ and library/ parts again for display.
import { ApiError, badParameter } from '../common/errors.js';

export interface ImageRef {
  /** Registry host, e.g. docker.io or localhost:5000. */
  domain: string;
  /** Repository path on that registry, e.g. library/busybox. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANY_CASE_NAME = new RegExp(`^(?:${DOMAIN}/)?[a-zA-Z0-9]+(?:(?:[._]|__|[-]+)[a-zA-Z0-9]+)*(?:/[a-zA-Z0-9]+(?:(?:[._]|__|[-]+)[a-zA-Z0-9]+)*)*$`);
export const TAG_REGEXP = new RegExp(`^${TAG}$`);
export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

/** Thrown for malformed references; dockerd answers them with 400 (or 500 on some routes). */
export class InvalidReference extends ApiError {
  constructor(message = 'invalid reference format') {
    super(400, message);
  }
}

/** Parses and normalises a reference ("busybox", "localhost:5000/a/b:tag", "x@sha256:..."). */
export function parseReference(input: string): ImageRef {
  const m = REFERENCE.exec(input);
  if (!m) {
    const nameOnly = input.replace(/@.*$/, '').replace(/:[\w][\w.-]{0,127}$/, '');
    if (input !== '' && ANY_CASE_NAME.test(nameOnly) && nameOnly !== nameOnly.toLowerCase()) {
      throw new InvalidReference('invalid reference format: repository name must be lowercase');
    }
    throw new InvalidReference();
  }
  const [, name, tag, digest] = m;
  if (name.length > 255) throw new InvalidReference('repository name must not be more than 255 characters');
  let domain = DEFAULT_DOMAIN;
  let repoPath = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      repoPath = name.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !repoPath.includes('/')) repoPath = `library/${repoPath}`;
  if (domain === DEFAULT_DOMAIN && /^[a-f0-9]{64}$/.test(repoPath.replace(/^library\//, '')) && !tag && !digest) {
    throw badParameter(`invalid repository name (${repoPath.replace(/^library\//, '')}), cannot specify 64-byte hexadecimal strings`);
  }
  return { domain, path: repoPath, tag, digest };
}

/** The reference with `latest` when it names neither a tag nor a digest. */
export function withDefaultTag(ref: ImageRef): ImageRef {
  return ref.tag || ref.digest ? ref : { ...ref, tag: DEFAULT_TAG };
}

/** docker.io/library/busybox → busybox; localhost:5000/x stays. */
export function familiarName(ref: Pick<ImageRef, 'domain' | 'path'>): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

export function familiarString(ref: ImageRef): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

export const fullName = (ref: Pick<ImageRef, 'domain' | 'path'>) => `${ref.domain}/${ref.path}`;

export function fullString(ref: ImageRef): string {
  return fullName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** A tag-or-digest reference as the key docker's repositories.json uses ("busybox:latest"). */
export const refKey = (ref: ImageRef) => familiarString(withDefaultTag(ref));
