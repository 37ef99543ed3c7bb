// `POST /build` (Engine API v1.41): the classic builder over the context tarball in the body
// or the git repository or URL named by `remote`.
import { BuildError } from '../../build/sources.js';
import { DockerfileParseError } from '../../build/dockerfile.js';
import { platformOS } from '../../build/platform.js';
import { badParameter, errorMessage } from '../../common/errors.js';
import { familiarString, parseReference, withDefaultTag } from '../../store/image-reference.js';
import type { Router } from '../server/router.js';
import type { BuilderService } from '../services/builder.js';
import { ProgressStream } from './progress-stream.js';

export function registerBuildRoutes(router: Router, builder: BuilderService): void {
  router.on('POST', '/build', async (ctx) => {
    const tags = ctx.query.getAll('t').map((t) => {
      const ref = parseReference(t);
      if (ref.digest) throw badParameter(`invalid reference format`);
      return familiarString(withDefaultTag(ref));
    });
    const buildArgs = new Map(Object.entries(jsonObject<string | null>(ctx.query.get('buildargs'), 'buildargs')));
    const labels = jsonObject<string>(ctx.query.get('labels'), 'labels');
    const platform = ctx.query.get('platform');
    let os: string | undefined;
    try {
      os = platform ? platformOS(platform) : undefined;
    } catch (err) {
      throw badParameter(errorMessage(err));
    }
    const quiet = ctx.flag('q');
    const progress = new ProgressStream(ctx);
    // With q, dockerd holds the steps back and shows them only if the build fails.
    const held: Record<string, unknown>[] = [];
    const output = quiet ? (msg: Record<string, unknown>) => void held.push(msg) : progress.write;
    try {
      const id = await builder.build(
        ctx.req,
        {
          dockerfile: ctx.query.get('dockerfile') || 'Dockerfile',
          tags,
          buildArgs,
          labels,
          noCache: ctx.flag('nocache'),
          rm: ctx.flag('rm', true),
          forceRm: ctx.flag('forcerm'),
          target: ctx.query.get('target') || undefined,
          remote: ctx.query.get('remote') ?? '',
          platformOS: os,
          runHostConfig: {
            NetworkMode: ctx.query.get('networkmode') || undefined,
            ExtraHosts: ctx.query.getAll('extrahosts'),
            ShmSize: ctx.int('shmsize', 0) || undefined,
          },
        },
        output,
      );
      if (quiet) progress.write({ stream: `${id}\n` });
    } catch (err) {
      // Errors in the Dockerfile itself come before any step, as an HTTP error.
      if (err instanceof DockerfileParseError) throw badParameter(errorMessage(err));
      held.forEach(progress.write);
      progress.fail(err, err instanceof BuildError ? err.code : undefined);
    }
    progress.end();
  });
}

function jsonObject<T>(raw: string | null, name: string): Record<string, T> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, T>;
  } catch {
    // answered below
  }
  throw badParameter(`invalid ${name}: ${raw}`);
}
