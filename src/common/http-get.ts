// dockerd's GetWithStatusError: an HTTP GET whose failures read as Go's client words them
// and whose 4xx/5xx answers become errors carrying the server's own text. Remote build
// contexts (daemon and CLI), ADD <url> and image import from a URL all download through it.
import { ApiError } from './errors.js';

/** The Engine API status each HTTP answer maps to (errdefs); any other failure is a 500. */
const STATUS_FOR_ANSWER: Record<number, number> = { 400: 400, 401: 401, 403: 403, 404: 404 };

export async function getWithStatusError(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string } }).cause;
    // A name that does not resolve is NotFound in dockerd; a refused or broken connection a system error.
    if (cause?.code === 'ENOTFOUND') throw new ApiError(404, `Get ${JSON.stringify(url)}: dial tcp: lookup ${cause.hostname}: no such host`);
    const detail = cause?.code === 'ECONNREFUSED' && cause.address ? `dial tcp ${cause.address}:${cause.port}: connect: connection refused` : (cause?.message ?? (err as Error).message);
    throw new ApiError(500, `Get ${JSON.stringify(url)}: ${detail}`);
  }
  if (response.status < 400) return response;
  const answer = `failed to GET ${url} with status ${response.status} ${response.statusText}`;
  const body = await response.text().catch(() => undefined);
  throw new ApiError(STATUS_FOR_ANSWER[response.status] ?? 500, body === undefined ? `${answer}: error reading body` : `${answer}: ${body.trim()}`);
}
