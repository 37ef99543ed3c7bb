// The bridge from commands to the Go-template formatter: list output, single-object templates,
// and docker's error reporting for bad templates.
import { FormatError, parseTemplate, preprocessFormat, renderInspect, renderList, TemplateError, type HeaderContext, type InspectResult } from '../format/index.js';
import { StatusError, type Cli } from '../command.js';

function asStatus(err: unknown): never {
  if (err instanceof FormatError) throw new StatusError(err.exitCode, err.message);
  throw err;
}

/** Writes a list with docker's formatter rules ("table ...", "json", or a template per row). */
export function writeFormatted(cli: Cli, format: string, items: unknown[], headers: HeaderContext): void {
  try {
    cli.out.write(renderList(format, items, headers));
  } catch (err) {
    asStatus(err);
  }
}

/** Renders objects for inspect -f; a template parse error ends the CLI with status 64. */
export function renderObjects(format: string, items: unknown[]): InspectResult {
  try {
    return renderInspect(format, items);
  } catch (err) {
    return asStatus(err);
  }
}

/**
 * `ps --format` validation before listing: parse the template and run it once against a
 * sample row, with docker's "failed to parse/execute template" messages.
 */
export function checkTemplate(format: string, sample: unknown): void {
  let tmpl;
  try {
    tmpl = parseTemplate(preprocessFormat(format));
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`failed to parse template: ${err.message}`);
    throw err;
  }
  const result = tmpl.executePartial(sample);
  if (result.error) throw new Error(`failed to execute template: ${result.error.message}`);
}

/**
 * Parses a template for single objects (version, info, events): a parse error becomes
 * `parseError(message)`; the returned function throws the Go message when execution fails.
 */
export function compileTemplate(format: string, parseError: (message: string) => Error): (data: unknown) => string {
  let tmpl: ReturnType<typeof parseTemplate>;
  try {
    tmpl = parseTemplate(preprocessFormat(format));
  } catch (err) {
    if (err instanceof TemplateError) throw parseError(err.message);
    throw err;
  }
  return (data) => {
    const r = tmpl.executePartial(data);
    if (r.error) throw new Error(r.error.message);
    return r.output;
  };
}
