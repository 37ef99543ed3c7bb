// The bridge from commands to the Go-template formatter: list output, single-object templates,
// and docker's error reporting for bad templates.
import {
  FormatError,
  parseTemplate,
  preprocessFormat,
  renderInspect,
  renderList,
  TemplateError,
  type HeaderContext,
  type InspectResult,
  type ListFormatOptions,
} from '../format/index.js';
import { StatusError, type Cli } from '../command.js';

/**
 * The row objects of list commands stand for docker's Go structs (ContainerContext...): they
 * print as structs and a field they lack is an error, not <no value>.
 */
const rowContexts = new WeakSet<object>();

export function rowContext<T extends object>(row: T): T {
  rowContexts.add(row);
  return row;
}

const listOptions: ListFormatOptions & { strictStructs: boolean } = { isStruct: (obj) => rowContexts.has(obj), strictStructs: true };

/** Names the Go type docker's message would name for a field our struct-like object lacks. */
function withGoType(message: string, goType: string): string {
  return message.replace(/(can't evaluate field \S+ in type) struct\b/, `$1 ${goType}`);
}

function asStatus(err: unknown): never {
  if (err instanceof FormatError) throw new StatusError(err.exitCode, err.message);
  throw err;
}

/**
 * Writes a list with docker's formatter rules ("table ...", "json", or a template per row);
 * `goType` is the Go type of docker's row context, for error messages.
 */
export function writeFormatted(cli: Cli, format: string, items: unknown[], headers: HeaderContext, goType: string): void {
  try {
    cli.out.write(renderList(format, items, headers, listOptions));
  } catch (err) {
    if (err instanceof FormatError) throw new StatusError(err.exitCode, withGoType(err.message, goType));
    throw err;
  }
}

/** Renders objects for inspect -f; a template parse error ends the CLI with status 64. */
export function renderObjects(format: string, items: unknown[]): InspectResult {
  try {
    return renderInspect(format, items, { strictStructs: true });
  } catch (err) {
    return asStatus(err);
  }
}

/**
 * `ps --format` validation before listing: parse the template and run it once against a
 * sample row, with docker's "failed to parse/execute template" messages.
 */
export function checkTemplate(format: string, sample: unknown, goType: string): void {
  let tmpl;
  try {
    tmpl = parseTemplate(preprocessFormat(format), undefined, listOptions);
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`failed to parse template: ${err.message}`);
    throw err;
  }
  const result = tmpl.executePartial(sample);
  if (result.error) throw new Error(`failed to execute template: ${withGoType(result.error.message, goType)}`);
}

/** The result of a template run on one object: its output, and the Go error if it failed. */
export interface Rendered {
  output: string;
  error?: string;
}

/**
 * Parses a template for single objects (version, info, events): a parse error becomes
 * `parseError(message)`; errors name `goType` (docker's type) and the template `name`.
 */
export function compileTemplate(format: string, parseError: (message: string) => Error, goType: string, name = ''): (data: unknown) => Rendered {
  let tmpl: ReturnType<typeof parseTemplate>;
  try {
    tmpl = parseTemplate(preprocessFormat(format), undefined, { strictStructs: true, name });
  } catch (err) {
    if (err instanceof TemplateError) throw parseError(err.message);
    throw err;
  }
  return (data) => {
    const r = tmpl.executePartial(data);
    return r.error ? { output: r.output, error: withGoType(r.error.message, goType) } : { output: r.output };
  };
}

/** docker's New*Format of list commands: `table` (the default) and `raw` have quiet forms; anything else is a template. */
export function listFormat(format: string, quiet: boolean, formats: { table: string; quietTable: string; raw: string; quietRaw: string }): string {
  if (!format || format === 'table') return quiet ? formats.quietTable : formats.table;
  if (format === 'raw') return quiet ? formats.quietRaw : formats.raw;
  return format;
}
