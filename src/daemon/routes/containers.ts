import type { ContainerCreateRequest } from '../../api/types.js';
import { badParameter, notFound } from '../../common/errors.js';
import { inspectView, selectContainers, summaryView } from '../services/container-view.js';
import type { ContainerService } from '../services/containers.js';
import type { ExecService } from '../services/exec.js';
import type { ImageService } from '../services/images.js';
import { etcFilePaths } from '../../runtime/etc-files.js';
import type { RequestContext } from '../server/context.js';
import type { Router } from '../server/router.js';

/** The `/containers/...` and `/commit` endpoints. */
export function registerContainerRoutes(router: Router, containers: ContainerService, execs: ExecService, images: ImageService): void {
  const store = containers.store;

  router.on('POST', '/containers/create', async (ctx) => {
    const body = await ctx.json<ContainerCreateRequest>();
    ctx.send(201, await containers.create(body, ctx.query.get('name') ?? ''));
  });

  router.on('GET', '/containers/json', async (ctx) => {
    const records = selectContainers(
      store.all(),
      { all: ctx.flag('all'), limit: ctx.int('limit', -1), filters: ctx.filters() },
      (ref) => store.find(ref),
      (record, ref) => isAncestor(images, record.image, ref),
    );
    const withSize = ctx.flag('size');
    const out = [];
    for (const r of records) out.push(summaryView(r, withSize ? await containerSizes(r.id) : undefined));
    ctx.send(200, out);
  });

  /** SizeRw: the container's own layer; SizeRootFs: everything it sees (image + own layer). */
  const containerSizes = async (id: string) => {
    const record = store.get(id);
    const rw = await containers.upperSize(record.id);
    return { rw, rootFs: rw + imageSize(images, record.image) };
  };

  router.on('GET', '/containers/:id/json', async (ctx) => {
    const record = store.get(ctx.param('id'));
    const layerDirs = await images.resolve(record.image).then((i) => i.layerDirs, () => []);
    const sizes = ctx.flag('size') ? await containerSizes(record.id) : undefined;
    ctx.send(
      200,
      inspectView(
        record,
        { ...etcFilePaths(store.dir(record.id)), logPath: containers.logPath(record.id), rootfsDir: containers.rootfs(record.id).dir, layerDirs },
        execs.idsOf(record.id),
        sizes,
      ),
    );
  });

  router.on('POST', '/containers/:id/start', async (ctx) => {
    await containers.start(ctx.param('id'));
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/stop', async (ctx) => {
    await containers.stop(ctx.param('id'), optionalInt(ctx, 't'));
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/restart', async (ctx) => {
    await containers.restart(ctx.param('id'), optionalInt(ctx, 't'));
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/kill', (ctx) => {
    const ref = ctx.param('id');
    if (!store.find(ref)) throw notFound(`Cannot kill container: ${ref}: No such container: ${ref}`);
    containers.kill(ctx.param('id'), ctx.query.get('signal') || 'SIGKILL');
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/pause', async (ctx) => {
    await containers.pause(ctx.param('id'));
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/unpause', async (ctx) => {
    await containers.unpause(ctx.param('id'));
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/rename', async (ctx) => {
    await containers.rename(ctx.param('id'), ctx.query.get('name') ?? '');
    ctx.send(204);
  });

  router.on('POST', '/containers/:id/wait', async (ctx) => {
    store.get(ctx.param('id')); // a missing container is a 404, before any header goes out
    // API 1.41 (dockerd 20.10) takes an unknown condition as the default, not-running.
    const condition = ctx.query.get('condition') ?? '';
    const waiting = containers.wait(ctx.param('id'), ['next-exit', 'removed'].includes(condition) ? condition : 'not-running');
    // Answer the headers now: clients (docker run) wait for them before they start the container.
    const res = ctx.stream('application/json');
    const code = await waiting;
    res.end(JSON.stringify({ StatusCode: code, Error: null }) + '\n');
  });

  router.on('DELETE', '/containers/:id', async (ctx) => {
    const id = store.get(ctx.param('id')).id;
    await containers.remove(id, { force: ctx.flag('force'), volumes: ctx.flag('v') });
    execs.forgetContainer(id);
    ctx.send(204);
  });

  router.on('POST', '/containers/prune', async (ctx) => {
    const filters = ctx.filters();
    for (const key of filters.keys()) if (!['label', 'label!', 'until'].includes(key)) throw badParameter(`Invalid filter '${key}'`);
    const until = filters.get('until')?.map(parseTime);
    ctx.send(
      200,
      await containers.prune((r) => {
        if (until && !until.every((u) => Date.parse(r.created) / 1000 < u)) return true;
        const labels = r.config.Labels ?? {};
        const has = (l: string) => {
          const [k, v] = l.split('=');
          return k in labels && (v === undefined || labels[k] === v);
        };
        if (!(filters.get('label') ?? []).every(has)) return true;
        if ((filters.get('label!') ?? []).some(has)) return true;
        return false;
      }),
    );
  });

  router.on('POST', '/containers/:id/attach', async (ctx) => {
    const record = store.get(ctx.param('id'));
    const tty = !!record.config.Tty;
    const client = ctx.hijack(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    const opts = {
      stdin: ctx.flag('stdin'),
      stdout: ctx.flag('stdout'),
      stderr: ctx.flag('stderr'),
      detachKeys: ctx.query.get('detachKeys') ?? undefined,
    };
    if (ctx.flag('logs')) {
      await containers.logs(record.id, { stdout: opts.stdout, stderr: opts.stderr, follow: false, timestamps: false, tail: -1, since: 0, until: 0 }, client.output, () => false);
    }
    if (!ctx.flag('stream')) {
      client.close();
      return;
    }
    await containers.attach(record.id, client, opts);
  });

  router.on('GET', '/containers/:id/logs', async (ctx) => {
    const record = store.get(ctx.param('id'));
    const stdout = ctx.flag('stdout');
    const stderr = ctx.flag('stderr');
    if (!stdout && !stderr) throw badParameter('Bad parameters: you must choose at least one stream');
    const tail = ctx.query.get('tail');
    const out = ctx.stream(record.config.Tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    let closed = false;
    ctx.req.socket.once('close', () => (closed = true));
    await containers.logs(
      record.id,
      {
        stdout,
        stderr,
        follow: ctx.flag('follow'),
        timestamps: ctx.flag('timestamps'),
        details: ctx.flag('details'),
        tail: !tail || tail === 'all' ? -1 : Number(tail),
        since: parseTime(ctx.query.get('since') ?? '0'),
        until: parseTime(ctx.query.get('until') ?? '0'),
      },
      out,
      () => closed,
    );
    out.end();
  });

  router.on('POST', '/containers/:id/resize', async (ctx) => {
    await containers.resize(ctx.param('id'), ctx.int('h', 0), ctx.int('w', 0));
    ctx.send(200);
  });

  router.on('POST', '/commit', async (ctx) => {
    const config = await ctx.json<Record<string, unknown>>({});
    const id = await containers.commit(ctx.query.get('container') ?? '', {
      config,
      pause: ctx.flag('pause', true),
      repo: ctx.query.get('repo') ?? undefined,
      tag: ctx.query.get('tag') ?? undefined,
      comment: ctx.query.get('comment') ?? undefined,
      author: ctx.query.get('author') ?? undefined,
      changes: ctx.query.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
    });
    ctx.send(201, { Id: id });
  });

  router.on('POST', '/containers/:id/exec', async (ctx) => {
    const id = execs.create(ctx.param('id'), await ctx.json());
    ctx.send(201, { Id: id });
  });
}

function optionalInt(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.query.get(name);
  return v === null || v === '' ? undefined : ctx.int(name, 0);
}

/** Docker's time parameters: unix seconds (fractional allowed), RFC 3339, or a duration like `10m` before now. */
export function parseTime(value: string): number {
  if (!value || value === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[duration[2] as 's'];
    return Date.now() / 1000 - Number(duration[1]) * unit;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badParameter(`invalid time value: ${value}`);
  return t / 1000;
}

/** Whether ref names the image or one of its parents (the `ancestor` filter). */
function isAncestor(images: ImageService, imageId: string, ref: string): boolean {
  let wanted: string;
  try {
    wanted = images.inspect(ref).Id;
  } catch {
    return false;
  }
  for (let id = imageId; id; ) {
    if (id === wanted) return true;
    try {
      id = images.inspect(id).Parent;
    } catch {
      return false;
    }
  }
  return false;
}

function imageSize(images: ImageService, imageId: string): number {
  try {
    return images.inspect(imageId).Size;
  } catch {
    return 0;
  }
}
