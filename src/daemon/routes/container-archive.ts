import { PassThrough, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, createGzip } from 'node:zlib';
import type { ContainerPathStat } from '../../archive/copy.js';
import { badParameter } from '../../common/errors.js';
import type { ContainerArchiveService } from '../services/container-archive.js';
import type { RequestContext } from '../server/context.js';
import type { Router } from '../server/router.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** `/containers/{id}/archive`: what `docker cp` stats (HEAD), reads (GET) and writes (PUT). */
export function registerContainerArchiveRoutes(router: Router, archive: ContainerArchiveService): void {
  router.on('HEAD', '/containers/:id/archive', async (ctx) => {
    const stat = await archive.stat(ctx.param('id'), pathParam(ctx));
    ctx.send(200, undefined, { [STAT_HEADER]: encodeStat(stat) });
  });

  router.on('GET', '/containers/:id/archive', async (ctx) => {
    await archive.archive(ctx.param('id'), pathParam(ctx), async (stat, tar) => {
      // As dockerd: compressed only when the client asks for exactly one encoding (Go's client asks for gzip).
      const encoding = ctx.req.headers['accept-encoding'];
      const compressor: Transform | undefined = encoding === 'gzip' ? createGzip() : encoding === 'deflate' ? createDeflateRaw() : undefined;
      ctx.res.writeHead(200, {
        'Content-Type': 'application/x-tar',
        [STAT_HEADER]: encodeStat(stat),
        ...(compressor ? { 'Content-Encoding': encoding } : {}),
      });
      await (compressor ? pipeline(tar, compressor, ctx.res) : pipeline(tar, ctx.res));
    });
  });

  router.on('PUT', '/containers/:id/archive', async (ctx) => {
    const path = pathParam(ctx);
    // A failed extraction ends this stream, not the request, which still gets its answer.
    const body = new PassThrough();
    ctx.req.pipe(body);
    await archive.extract(ctx.param('id'), path, body, {
      copyUIDGID: ctx.flag('copyUIDGID'),
      noOverwriteDirNonDir: ctx.flag('noOverwriteDirNonDir'),
    });
    ctx.send(200);
  });
}

function pathParam(ctx: RequestContext): string {
  const path = ctx.query.get('path');
  // dockerd's wording, missing space included.
  if (!path) throw badParameter('bad parameter: pathcannot be empty');
  return path;
}

function encodeStat(stat: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}
