import findMyWay from 'find-my-way';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_VERSION, MIN_API_VERSION } from '../../api/types.js';
import { badParameter, notFound } from '../../common/errors.js';
import { RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;
type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * The one router for plain and upgraded requests (Node delivers the latter to a
 * separate 'upgrade' event that no framework routes). Paths may carry a `/v1.xx`
 * prefix. Routes whose parameter may hold slashes (image names) are registered as
 * `/images/{name}/json`-style "suffix routes" and matched on the wildcard's tail.
 */
export class Router {
  private readonly routes = findMyWay({ ignoreTrailingSlash: true });
  private readonly suffixRoutes: { method: Method; prefix: string; suffix: string; handler: Handler }[] = [];

  on(method: Method, path: string, handler: Handler): void {
    const m = /^(.*)\/\{name\}(.*)$/.exec(path);
    if (!m) {
      this.routes.on(method, path, noop, { handler } satisfies RouteTarget);
      return;
    }
    const [, prefix, suffix] = m;
    this.suffixRoutes.push({ method, prefix, suffix, handler });
    if (!this.routes.hasRoute(method, `${prefix}/*`)) {
      this.routes.on(method, `${prefix}/*`, noop, { suffixOf: prefix } satisfies RouteTarget);
    }
  }

  /** The handler and parameters for a path, or undefined. */
  private resolve(method: Method, pathname: string): { handler: Handler; params: Record<string, string> } | undefined {
    const found = this.routes.find(method, pathname);
    if (!found) return undefined;
    const target = found.store as RouteTarget;
    const params = found.params as Record<string, string>;
    if (target.handler) return { handler: target.handler, params: { ...params } };
    // The longest matching suffix wins, so `/images/{name}` comes last.
    const rest = params['*'];
    const route = this.suffixRoutes
      .filter((r) => r.method === method && r.prefix === target.suffixOf && rest.endsWith(r.suffix) && rest.length > r.suffix.length)
      .sort((a, b) => b.suffix.length - a.suffix.length)[0];
    if (!route) return undefined;
    return { handler: route.handler, params: { name: decodeURIComponent(rest.slice(0, rest.length - route.suffix.length)) } };
  }

  async handle(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    let pathname = url.pathname;
    let version = API_VERSION;
    const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
    let params: Record<string, string> = {};
    const ctx = () => new RequestContext(req, res, params, url.searchParams, version, upgrade);
    try {
      if (versioned) {
        version = versioned[1];
        pathname = versioned[2];
        if (compareVersions(version, API_VERSION) > 0) {
          throw badParameter(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
        }
        if (compareVersions(version, MIN_API_VERSION) < 0) {
          throw badParameter(
            `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
          );
        }
      }
      const route = this.resolve((req.method ?? 'GET') as Method, pathname);
      if (!route) throw notFound('page not found');
      params = route.params;
      await route.handler(ctx());
    } catch (err) {
      ctx().sendError(err);
    }
  }
}

interface RouteTarget {
  handler?: Handler;
  suffixOf?: string;
}

const noop = () => undefined;

export function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
