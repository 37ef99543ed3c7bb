// Image references as the docker CLI normalises them (distribution/reference, simplified):
// "busybox" → name "busybox", tag "latest"; the familiar form drops docker.io/library/.

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseReference(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: familiarName(rest), tag, digest };
}

export function familiarName(name: string): string {
  return name.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\/(?=[^/]+$)/, '');
}

/** The reference with ":latest" added when it has neither tag nor digest. */
export function withDefaultTag(ref: string): ImageRef {
  const parsed = parseReference(ref);
  if (!parsed.tag && !parsed.digest) parsed.tag = 'latest';
  return parsed;
}

export function formatReference(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
