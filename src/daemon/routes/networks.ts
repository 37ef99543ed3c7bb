import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import type { ContainerStore } from '../../store/container-store.js';
import type { Router } from '../server/router.js';
import type { NetworkService } from '../services/networks.js';

/** The `/networks/...` endpoints. */
export function registerNetworkRoutes(router: Router, networks: NetworkService, containers: ContainerStore): void {
  router.on('GET', '/networks', (ctx) => {
    ctx.send(200, networks.list(ctx.filters()));
  });

  router.on('GET', '/networks/:id', (ctx) => {
    ctx.send(200, networks.inspect(ctx.param('id')));
  });

  router.on('POST', '/networks/create', async (ctx) => {
    ctx.send(201, await networks.create(await ctx.json<NetworkCreateRequest>()));
  });

  router.on('DELETE', '/networks/:id', async (ctx) => {
    await networks.remove(ctx.param('id'));
    ctx.send(204);
  });

  router.on('POST', '/networks/:id/connect', async (ctx) => {
    const body = await ctx.json<NetworkConnectRequest>();
    if (!body?.Container) throw badParameter('container is required');
    await networks.connect(ctx.param('id'), containers.get(body.Container), body.EndpointConfig ?? {});
    ctx.send(200);
  });

  router.on('POST', '/networks/:id/disconnect', async (ctx) => {
    const body = await ctx.json<NetworkDisconnectRequest>();
    if (!body?.Container) throw badParameter('container is required');
    await networks.disconnect(ctx.param('id'), containers.get(body.Container));
    ctx.send(200);
  });

  router.on('POST', '/networks/prune', async (ctx) => {
    ctx.send(200, { NetworksDeleted: await networks.prune(ctx.filters()) });
  });
}
