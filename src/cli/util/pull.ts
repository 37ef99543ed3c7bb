// Pulling an image (POST /images/create?fromImage=), shared by pull, run and create.
import { drainProgress } from '../../client/client.js';
import type { Cli } from '../command.js';
import { progressPrinter } from './progress.js';
import { familiarString, withDefaultTag } from './reference.js';

/** Pulls `image`, showing progress on `out` (nothing when null). */
export async function pullImage(cli: Cli, image: string, out: NodeJS.WritableStream | null, platform?: string): Promise<void> {
  const ref = withDefaultTag(image);
  const res = await cli.client().imageCreate({ fromImage: ref.name, tag: ref.digest ?? ref.tag, platform: platform || undefined });
  await drainProgress(res, out ? progressPrinter(out) : undefined);
}

/** "busybox" → "busybox:latest", as "Unable to find image '...' locally" names it. */
export function familiarWithTag(image: string): string {
  try {
    return familiarString(withDefaultTag(image));
  } catch {
    return image;
  }
}
