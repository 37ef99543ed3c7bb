import { randomBytes } from 'node:crypto';

/** A 64-hex-digit id, as Docker gives containers and exec instances. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export const isHexPrefix = (s: string) => /^[0-9a-f]{1,64}$/.test(s);
