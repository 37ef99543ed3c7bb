// Errors the client reports, worded as the docker CLI words them.

/** The daemon answered with an error status; the message is the API's `message`. */
export class DaemonError extends Error {
  constructor(readonly statusCode: number, readonly detail: string) {
    super(`Error response from daemon: ${detail}`);
  }
}

/** The daemon could not be reached at all. */
export class ConnectionError extends Error {
  constructor(readonly host: string, readonly cause?: unknown) {
    super(`Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`);
  }
}

export const isNotFound = (err: unknown): err is DaemonError => err instanceof DaemonError && err.statusCode === 404;
