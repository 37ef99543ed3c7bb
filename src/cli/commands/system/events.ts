// berth events: the daemon's event stream, one line per event (docker's format or a template).
import type { EventMessage } from '../../../api/types.js';
import { listFlag, stringFlag, type Command, StatusError } from '../../command.js';
import { goJSONMarshal } from '../../format/gojson.js';
import { parseFilters } from '../../util/filters.js';
import { compileTemplate } from '../../util/output.js';
import { getTimestamp, rfc3339NanoFixed } from '../../util/time.js';

/** The exact timeNano of an event line (a double cannot hold it). */
function timeNanoOf(raw: string): bigint | undefined {
  const m = /"timeNano":(\d+)/.exec(raw);
  return m ? BigInt(m[1]) : undefined;
}

/** docker's prettyPrintEvent: time, type, action, actor id and sorted attributes. */
export function formatEvent(e: EventMessage, timeNano?: bigint): string {
  let text = '';
  if (timeNano) text += `${rfc3339NanoFixed(timeNano)} `;
  else if (e.time) text += `${rfc3339NanoFixed(BigInt(e.time) * 1000000000n)} `;
  text += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) text += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${text}\n`;
}

/**
 * `--format json`: docker's `{{json .}}` of an events.Message, whatever the daemon's key
 * order: its fields in order (omitempty), Attributes sorted as a Go map, the exact timeNano.
 */
export function eventJson(e: EventMessage, timeNano?: bigint): string {
  const attributes = e.Actor?.Attributes ?? null;
  const message = {
    status: e.status || undefined,
    id: e.id || undefined,
    from: e.from || undefined,
    Type: e.Type ?? '',
    Action: e.Action ?? '',
    Actor: { ID: e.Actor?.ID ?? '', Attributes: attributes },
    scope: e.scope || undefined,
    time: e.time || undefined,
    timeNano: timeNano || e.timeNano || undefined,
  };
  return goJSONMarshal(message, { escapeHTML: false, isStruct: (o) => o !== attributes });
}

/** The event as docker's events.Message struct presents it to templates. */
function templateView(e: EventMessage): Record<string, unknown> {
  return { Status: e.status ?? '', ID: e.id ?? '', From: e.from ?? '', Type: e.Type, Action: e.Action, Actor: e.Actor, Scope: e.scope, Time: e.time, TimeNano: e.timeNano };
}

function timestamp(value: string): string | undefined {
  return value ? getTimestamp(value) : undefined;
}

export const eventsCommand: Command = {
  name: 'events',
  use: '[OPTIONS]',
  short: 'Get real time events from the server',
  flags: [
    listFlag('filter', 'f', 'Filter output based on conditions provided', 'filter'),
    stringFlag('format', undefined, 'Format output using a custom template'),
    stringFlag('since', undefined, 'Show all events created since timestamp'),
    stringFlag('until', undefined, 'Stream events until this timestamp'),
  ],
  args: { max: 0 },
  async run(cli, flags) {
    const format = flags.string('format');
    const render = format && format !== 'json' ? compileTemplate(format, (msg) => new StatusError(64, `Error parsing format: ${msg}`), '*events.Message') : undefined;
    const check = render?.(templateView({ Type: '', Action: '', Actor: { ID: '', Attributes: {} }, scope: '', time: 0, timeNano: 0 } as unknown as EventMessage));
    if (check?.error) throw new StatusError(64, `Error parsing format: ${check.error}`);
    const events = cli.client().events({ since: timestamp(flags.string('since')), until: timestamp(flags.string('until')), filters: parseFilters(flags.list('filter')) });
    for await (const { event, raw } of events) {
      if (format === 'json') cli.out.write(`${eventJson(event, timeNanoOf(raw))}\n`);
      else if (render) {
        const result = render(templateView(event));
        if (result.error) throw new Error(result.error);
        cli.out.write(`${result.output}\n`);
      }
      else cli.out.write(formatEvent(event, timeNanoOf(raw)));
    }
  },
};
