// Looking into a container: its processes (top), its file system changes (diff) and its
// whole file system as a tar (export).
import * as path from 'node:path';
import { conflict, errorMessage, serverError } from '../../common/errors.js';
import type { Router } from '../server/router.js';
import { containerChanges } from '../services/container-changes.js';
import { FilesystemExporter } from '../services/container-export.js';
import { containerTop, validatePsArgs } from '../services/container-top.js';
import type { ContainerService } from '../services/containers.js';
import type { EventService } from '../services/events.js';
import type { ImageService } from '../services/images.js';

export async function registerContainerInspectionRoutes(
  router: Router,
  deps: { containers: ContainerService; images: ImageService; events: EventService; execRoot: string },
): Promise<void> {
  const { containers, images, events } = deps;
  const store = containers.store;
  const exporter = new FilesystemExporter(path.join(deps.execRoot, 'exports'));
  await exporter.releaseLeftovers();

  router.on('GET', '/containers/:id/top', async (ctx) => {
    const psArgs = ctx.query.get('ps_args') ?? '';
    validatePsArgs(psArgs);
    const record = store.get(ctx.param('id'));
    if (record.state.Restarting) throw conflict(`Container ${record.id} is restarting, wait until the container is running`);
    if (!record.state.Running) throw conflict(`Container ${record.id} is not running`);
    ctx.send(200, await containerTop(record.state.Pid, psArgs));
    events.emit('container', 'top', record.id, containers.eventAttributes(record));
  });

  router.on('GET', '/containers/:id/changes', async (ctx) => {
    const record = store.get(ctx.param('id'));
    const { layerDirs } = await images.resolve(record.image);
    const changes = await containerChanges(containers.rootfs(record.id).upper, layerDirs);
    // dockerd's empty list is Go's nil slice.
    ctx.send(200, changes.length > 0 ? changes : null);
  });

  router.on('GET', '/containers/:id/export', async (ctx) => {
    const ref = ctx.param('id');
    const record = store.get(ref);
    if (record.state.Dead) throw conflict(`You cannot export container ${record.id} which is Dead`);
    if (record.state.Status === 'removing') throw conflict(`You cannot export container ${record.id} which is being removed`);
    const archive = await images
      .resolve(record.image)
      .then(({ layerDirs }) => exporter.export(containers.rootfs(record.id), layerDirs))
      .catch((err) => {
        throw serverError(`Error exporting container ${ref}: ${errorMessage(err)}`);
      });
    events.emit('container', 'export', record.id, containers.eventAttributes(record));
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    archive.on('error', () => ctx.res.destroy());
    // A client gone mid-stream ends the archive, which releases its mount.
    ctx.res.once('close', () => archive.destroy());
    archive.pipe(ctx.res);
  });
}
