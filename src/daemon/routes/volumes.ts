import type { VolumeCreateRequest } from '../../api/types.js';
import type { Router } from '../server/router.js';
import type { VolumeService } from '../services/volumes.js';

/** The `/volumes/...` endpoints. */
export function registerVolumeRoutes(router: Router, volumes: VolumeService): void {
  router.on('GET', '/volumes', (ctx) => {
    ctx.send(200, volumes.list(ctx.filters()));
  });

  router.on('POST', '/volumes/create', async (ctx) => {
    ctx.send(201, await volumes.create((await ctx.json<VolumeCreateRequest | null>()) ?? {}));
  });

  router.on('POST', '/volumes/prune', async (ctx) => {
    ctx.send(200, await volumes.prune(ctx.filters()));
  });

  router.on('GET', '/volumes/:name', (ctx) => {
    ctx.send(200, volumes.inspect(ctx.param('name')));
  });

  router.on('DELETE', '/volumes/:name', async (ctx) => {
    await volumes.remove(ctx.param('name'), ctx.flag('force'));
    ctx.send(204);
  });
}
