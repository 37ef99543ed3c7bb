import { setTimeout as delay } from 'node:timers/promises';
import type { StatsJSON } from '../../api/stats.js';
import { badParameter } from '../../common/errors.js';
import type { ContainerStore } from '../../store/container-store.js';
import { EMPTY_CPU_STATS, emptyStats, sampleStats, ZERO_TIME } from '../services/container-stats.js';
import { compareVersions, type Router } from '../server/router.js';

/** dockerd's collector samples every container once a second. */
const SAMPLE_INTERVAL_MS = 1000;

/**
 * GET /containers/{id}/stats: one sample a second while the client listens (stream, the
 * default), ending when the container is removed; or one sample, with the one a second before
 * it as precpu_stats, or at once and without it (one-shot). A container that is not running
 * gives zeros.
 */
export function registerContainerStatsRoutes(router: Router, store: ContainerStore): void {
  router.on('GET', '/containers/:id/stats', async (ctx) => {
    const record = store.get(ctx.param('id'));
    const stream = ctx.flag('stream', true);
    const oneShot = compareVersions(ctx.apiVersion, '1.41') >= 0 && ctx.flag('one-shot');
    if (stream && oneShot) throw badParameter('cannot have stream=true and one-shot=true');

    // Each sample carries the one before it as precpu_stats and preread, as dockerd's do.
    let previous = { cpu: EMPTY_CPU_STATS, read: ZERO_TIME };
    const next = async (): Promise<StatsJSON> => {
      const sample = await sampleStats(record);
      const withPrevious = { ...sample, preread: previous.read, precpu_stats: previous.cpu };
      previous = { cpu: sample.cpu_stats, read: sample.read };
      return withPrevious;
    };

    if (!stream) {
      if (!record.state.Running || record.state.Restarting) return ctx.send(200, emptyStats(record));
      if (!oneShot) {
        await next(); // primes precpu_stats, so that the CPU share has a base
        await delay(SAMPLE_INTERVAL_MS);
      }
      return ctx.send(200, await next());
    }

    const gone = new AbortController();
    ctx.res.once('close', () => gone.abort());
    ctx.res.writeHead(200);
    ctx.res.flushHeaders();
    while (!gone.signal.aborted && store.find(record.id) === record) {
      ctx.res.write(`${JSON.stringify(await next())}\n`);
      await delay(SAMPLE_INTERVAL_MS, undefined, { signal: gone.signal }).catch(() => undefined);
    }
    ctx.res.end();
  });
}
