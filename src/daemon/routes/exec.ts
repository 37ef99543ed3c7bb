import type { ExecService } from '../services/exec.js';
import type { Router } from '../server/router.js';

/** The `/exec/...` endpoints (creation is `/containers/{id}/exec`). */
export function registerExecRoutes(router: Router, execs: ExecService): void {
  router.on('POST', '/exec/:id/start', async (ctx) => {
    const session = execs.get(ctx.param('id'));
    // The body arrives before the upgrade: read it from the request or the socket head.
    const body = await ctx.json<{ Detach?: boolean; Tty?: boolean }>({});
    const tty = body.Tty ?? !!session.config.Tty;
    if (body.Detach) {
      await execs.start(session.id, { detach: true, tty });
      ctx.send(200);
      return;
    }
    const contentType = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
    await execs.start(session.id, { detach: false, tty }, () => ctx.hijack(contentType));
  });

  router.on('POST', '/exec/:id/resize', async (ctx) => {
    await execs.resize(ctx.param('id'), ctx.int('h', 0), ctx.int('w', 0));
    ctx.send(200);
  });

  router.on('GET', '/exec/:id/json', (ctx) => {
    ctx.send(200, execs.inspect(ctx.param('id')));
  });
}
