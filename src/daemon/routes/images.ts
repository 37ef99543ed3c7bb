// The image endpoints of the Engine API (v1.41), over ImageService.
import { ApiError, badParameter, errorMessage } from '../../common/errors.js';
import type { RequestContext } from '../server/context.js';
import type { Router } from '../server/router.js';
import type { ImageService } from '../services/images.js';
import { ProgressStream } from './progress-stream.js';

export function registerImageRoutes(router: Router, images: ImageService): void {
  router.on('GET', '/images/json', (ctx) => {
    ctx.send(200, images.list({ all: ctx.flag('all'), filters: ctx.filters() }));
  });

  router.on('POST', '/images/create', async (ctx) => {
    const fromSrc = ctx.query.get('fromSrc');
    const fromImage = ctx.query.get('fromImage');
    const progress = new ProgressStream(ctx);
    try {
      if (fromSrc !== null && fromSrc !== '') {
        const opts = {
          repo: ctx.query.get('repo') ?? undefined,
          tag: ctx.query.get('tag') ?? undefined,
          message: ctx.query.get('message') ?? undefined,
          changes: ctx.query.getAll('changes'),
        };
        const id =
          fromSrc === '-'
            ? await images.importTarball(ctx.req, { ...opts, src: '-' })
            : await images.importFromUrl(fromSrc, opts, progress.write);
        progress.write({ status: id });
      } else if (fromImage) {
        await images.pull(fromImage, ctx.query.get('tag') ?? undefined, progress.write);
      } else {
        throw badParameter('fromImage or fromSrc is required');
      }
    } catch (err) {
      progress.fail(err);
    }
    progress.end();
  });

  router.on('POST', '/images/load', async (ctx) => {
    // dockerd answers 200 at once and reports failures in the stream.
    // `quiet` only drops dockerd's progress bars, which berth does not draw.
    const res = ctx.stream('application/json');
    try {
      await images.load(ctx.req, (msg) => res.write(JSON.stringify(msg) + '\n'));
    } catch (err) {
      const message = errorMessage(err);
      res.write(JSON.stringify({ errorDetail: { message }, error: message }) + '\n');
    }
    res.end();
  });

  const save = (ctx: RequestContext, names: string[]) => {
    const archive = images.save(names);
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    archive.on('error', () => ctx.res.destroy());
    archive.pipe(ctx.res);
  };
  router.on('GET', '/images/get', (ctx) => save(ctx, ctx.query.getAll('names')));
  router.on('GET', '/images/{name}/get', (ctx) => save(ctx, [ctx.param('name')]));

  router.on('GET', '/images/{name}/json', (ctx) => {
    try {
      ctx.send(200, images.inspect(ctx.param('name')));
    } catch (err) {
      // dockerd wraps lookup failures on this route.
      if (err instanceof ApiError) throw new ApiError(err.statusCode, `no such image: ${ctx.param('name')}: ${err.message}`);
      throw err;
    }
  });

  router.on('GET', '/images/{name}/history', (ctx) => ctx.send(200, images.history(ctx.param('name'))));

  router.on('POST', '/images/{name}/tag', async (ctx) => {
    await images.tag(ctx.param('name'), ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? '');
    ctx.send(201);
  });

  router.on('DELETE', '/images/{name}', async (ctx) => {
    ctx.send(200, await images.remove(ctx.param('name'), ctx.flag('force'), !ctx.flag('noprune')));
  });

  router.on('POST', '/images/prune', async (ctx) => {
    ctx.send(200, await images.prune(ctx.filters()));
  });
}
