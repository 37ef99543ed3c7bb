// Docker's JSON-lines progress answers (pull, import, build), each line ended by "\r\n" as dockerd's streamformatter ends them.
import type { ServerResponse } from 'node:http';
import { errorMessage } from '../../common/errors.js';
import type { RequestContext } from '../server/context.js';
import type { Progress } from '../services/images.js';

/**
 * A JSON-lines progress stream that, like dockerd's, sends no status line until the
 * first message: an error before that is an ordinary HTTP error, one after it a
 * `{"errorDetail":...}` line.
 */
export class ProgressStream {
  private res: ServerResponse | undefined;

  constructor(private readonly ctx: RequestContext) {}

  readonly write: Progress = (msg) => {
    this.res ??= this.ctx.stream('application/json');
    this.res.write(goJson(msg) + '\r\n');
  };

  get started(): boolean {
    return this.res !== undefined;
  }

  /** `code`: a failed build step's exit code, which docker build exits with. */
  fail(err: unknown, code?: number): void {
    if (!this.res) throw err;
    const message = errorMessage(err);
    this.res.write(goJson({ errorDetail: { ...(code === undefined ? {} : { code }), message }, error: message }) + '\r\n');
  }

  end(): void {
    (this.res ?? this.ctx.stream('application/json')).end();
  }
}

/** JSON as Go's encoder writes it: <, > and & escaped (clients compare the bytes of these streams). */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
