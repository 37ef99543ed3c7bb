// berth images / image ls: docker's image formatter (a row per repository:tag).
import type { ImageSummary } from '../../../api/types.js';
import { FORMAT_HELP, boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { parseFilters } from '../../util/filters.js';
import { rowContext, writeFormatted } from '../../util/output.js';
import { familiarName, parseNormalized } from '../../util/reference.js';
import { goTimeString } from '../../util/time.js';
import { humanDuration, humanSize, truncateId } from '../../../common/units.js';

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DIGEST_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

export const imageHeaders: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (!tags.length && !digests.length) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

function context(img: ImageSummary, trunc: boolean, repo: string, tag: string, digest: string, now: number): Record<string, unknown> {
  const na = (n: number, text: () => string) => (n === -1 ? 'N/A' : text());
  return rowContext({
    Containers: na(img.Containers, () => String(img.Containers)),
    CreatedAt: goTimeString(img.Created),
    CreatedSince: `${humanDuration(now - img.Created * 1000)} ago`,
    Digest: digest,
    ID: trunc ? truncateId(img.Id) : img.Id,
    Repository: repo,
    SharedSize: na(img.SharedSize, () => humanSize(img.SharedSize)),
    Size: humanSize(img.Size, 3),
    Tag: tag,
    UniqueSize: img.Size === -1 || img.SharedSize === -1 ? 'N/A' : humanSize(img.Size - img.SharedSize),
    VirtualSize: humanSize(img.Size),
  });
}

/** One row per repository:tag (and per digest when digests are shown), as imageFormatTaggedAndDigest. */
export function imageContexts(img: ImageSummary, trunc: boolean, showDigests: boolean, needDigest: boolean, now = Date.now()): Record<string, unknown>[] {
  if (isDangling(img)) return [context(img, trunc, '<none>', '<none>', '<none>', now)];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const ref of img.RepoTags ?? []) {
    try {
      const r = parseNormalized(ref);
      if (r.tag) repoTags.set(familiarName(r.name), [...(repoTags.get(familiarName(r.name)) ?? []), r.tag]);
    } catch {
      // unparsable references are skipped, as docker does
    }
  }
  for (const ref of img.RepoDigests ?? []) {
    try {
      const r = parseNormalized(ref);
      if (r.digest) repoDigests.set(familiarName(r.name), [...(repoDigests.get(familiarName(r.name)) ?? []), r.digest]);
    } catch {
      // as above
    }
  }
  const rows: Record<string, unknown>[] = [];
  for (const [repo, tags] of repoTags) {
    const digests = needDigest ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of tags) {
      if (!digests.length) rows.push(context(img, trunc, repo, tag, '<none>', now));
      for (const d of digests) rows.push(context(img, trunc, repo, tag, d, now));
    }
  }
  for (const [repo, digests] of repoDigests) {
    if (showDigests) for (const d of digests) rows.push(context(img, trunc, repo, '<none>', d, now));
    else rows.push(context(img, trunc, repo, '<none>', '', now));
  }
  return rows;
}

export const imagesCommand: Command = {
  name: 'ls',
  aliases: ['list'],
  use: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  flags: [
    boolFlag('all', 'a', 'Show all images (default hides intermediate images)'),
    boolFlag('digests', undefined, 'Show digests'),
    listFlag('filter', 'f', 'Filter output based on conditions provided', 'filter'),
    stringFlag('format', undefined, FORMAT_HELP),
    boolFlag('no-trunc', undefined, "Don't truncate output"),
    boolFlag('quiet', 'q', 'Only show image IDs'),
  ],
  args: { max: 1 },
  async run(cli, flags, args) {
    const filters = parseFilters(flags.list('filter'));
    if (args[0]) filters.set('reference', [...(filters.get('reference') ?? []), args[0]]);
    const images = await cli.client().imageList({ all: flags.bool('all'), filters });
    const digests = flags.bool('digests');
    let format = flags.string('format') || 'table';
    if (format === 'table') format = flags.bool('quiet') ? '{{.ID}}' : digests ? DIGEST_TABLE : DEFAULT_TABLE;
    else if (format.startsWith('table') && digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    const needDigest = digests || format.includes('{{.Digest}}');
    const trunc = !flags.bool('no-trunc');
    const now = Date.now();
    writeFormatted(cli, format, images.flatMap((img) => imageContexts(img, trunc, digests, needDigest, now)), imageHeaders, '*formatter.imageContext');
  },
};
