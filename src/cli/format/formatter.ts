// The docker CLI's --format conventions on top of the template engine:
//
//  * list commands (cli/command/formatter/formatter.go, Context.Write):
//    "table ..." strips the "table" prefix, renders a header row by executing
//    the same template against the column titles, and aligns everything with
//    a tabwriter; "json" prints each row as one JSON line; any other format
//    prints one line per row. The two-character sequences \t and \n typed on
//    the command line become a tab and a newline.
//  * inspect commands (cli/command/inspect/inspector.go): the template runs
//    once per object with a newline after each; if it fails on the typed
//    object, docker retries on the raw JSON with missingkey=error.

import { goJSONMarshal } from './gojson.js';
import { FieldKind, neverStruct } from './gofmt.js';
import { dockerHeaderFuncs, FuncMap } from './funcs.js';
import { parseTemplate, Template, TemplateError, TemplateOptions } from './template.js';
import { DOCKER_TABLE_OPTIONS, tabwrite, TabWriterOptions } from './tabwriter.js';

/** Error for the CLI to print (message is what docker prints) and exit with exitCode. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly phase: 'parse' | 'exec',
    /** The bare Go text/template message, without docker's prefix. */
    readonly templateMessage: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

export interface ListFormatOptions {
  /** Used when the format is exactly "table" (or empty): the command's default table format. */
  defaultTableFormat?: string;
  /** Tabwriter settings; docker's formatter uses minwidth 10, tabwidth 1, padding 3. */
  tabwriter?: TabWriterOptions;
  /** Extra template functions. */
  funcs?: FuncMap;
  /** Struct-vs-map printing heuristic, see gofmt.ts. */
  isStruct?: TemplateOptions['isStruct'];
}

/** Column titles for the header row, plus optional header methods. */
export type HeaderContext = Record<string, unknown>;

/**
 * docker's SubHeaderContext.Label: the title of a {{.Label "x"}} column is
 * the last dot-separated part of the label name, with - and _ as spaces.
 */
export function headerLabel(name: unknown): string {
  const parts = String(name).split('.');
  return parts[parts.length - 1].replace(/[-_]/g, ' ');
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * Docker's preFormat: strip "table", map "json" to {{json .}}, trim spaces
 * and turn the two-character escapes \t and \n into real characters.
 */
export function preprocessFormat(format: string): string {
  let f = format;
  if (isTableFormat(f)) f = f.slice('table'.length);
  else if (f === 'json') f = '{{json .}}';
  f = f.replace(/^ +| +$/g, '');
  return f.replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

function parseForFormatter(text: string, opts: InspectOptions, exitCode: number): Template {
  try {
    return parseTemplate(text, opts.funcs, {
      isStruct: opts.isStruct,
      strictStructs: opts.strictStructs,
      fieldKinds: opts.fieldKinds,
    });
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new FormatError(`template parsing error: ${e.message}`, 'parse', e.message, exitCode);
    }
    throw e;
  }
}

/**
 * Render a list the way docker's formatter does. Returns the complete
 * output (each row, and the header for tables, newline-terminated).
 *
 * `headers` maps field names to column titles (e.g. ID -> "CONTAINER ID").
 * A `Label` method (headerLabel) is added unless present, as docker's
 * header context has one.
 *
 * Rows whose template fails abort the whole rendering with a FormatError
 * (docker prints nothing in that case); header failures are ignored and
 * the partial header is kept, as docker does.
 */
export function renderList(format: string, items: unknown[], headers: HeaderContext, opts: ListFormatOptions = {}): string {
  if ((format === '' || format === 'table') && opts.defaultTableFormat) format = opts.defaultTableFormat;
  const table = isTableFormat(format);
  const tmpl = parseForFormatter(preprocessFormat(format), opts, 1);

  let rows = '';
  for (const item of items) {
    // {{json .}} on a row marshals docker's row context with json.Marshal:
    // keys sorted and <, >, & escaped (unlike the json function on fields).
    const rowTmpl = tmpl.withFuncs({
      json: {
        params: ['any'],
        fn: ([v], ctx) =>
          goJSONMarshal(v, v === item ? { escapeHTML: true, isStruct: neverStruct } : { escapeHTML: false, isStruct: ctx.fmt.isStruct }),
      },
    });
    const r = rowTmpl.executePartial(item);
    if (r.error) throw new FormatError(`template parsing error: ${r.error.message}`, 'exec', r.error.message, 1);
    rows += r.output + '\n';
  }
  if (!table) return rows;

  const headerCtx: HeaderContext = { ...headers };
  if (!('Label' in headerCtx)) headerCtx.Label = headerLabel;
  const header = tmpl.withFuncs(dockerHeaderFuncs()).executePartial(headerCtx).output;
  return tabwrite(header + '\n' + rows, opts.tabwriter ?? DOCKER_TABLE_OPTIONS);
}

export interface InspectResult {
  /** What docker writes to stdout: the rendered objects, or a lone newline if none rendered. */
  output: string;
  /** One message per failed object (docker prints them joined by newlines and exits 1). */
  errors: string[];
  exitCode: number;
}

export interface InspectOptions {
  funcs?: FuncMap;
  isStruct?: TemplateOptions['isStruct'];
  /** Go kinds of fields that JSON leaves untyped (default: dockerFieldKinds, for docker's API types). */
  fieldKinds?: TemplateOptions['fieldKinds'];
  /**
   * Fail on keys missing from struct-like objects, as docker does for
   * unknown struct fields (then retrying on the raw JSON, which yields
   * `map has no entry for key "Foo"`). Only exact when the data carries
   * every field, including those the API omits when empty.
   */
  strictStructs?: boolean;
}

/**
 * Go kinds of docker API fields whose JSON loses the type: fields that are
 * nil slices or maps when JSON shows null (so {{.Config.Entrypoint}} prints
 * [] and {{.Config.Labels}} map[], as with docker's typed structs), and
 * fields the API omits when empty (omitempty) that the typed structs still
 * have (so {{.State.Health}} prints <nil> and {{if .State.Health}} works).
 * "Config" is ambiguous (a struct, LogConfig's map, IPAM's slice) and left out.
 */
const DOCKER_FIELD_KINDS: Record<string, FieldKind> = {};
for (const k of [
  'Args', 'Entrypoint', 'Cmd', 'Env', 'OnBuild', 'Shell', 'Binds', 'Links', 'Aliases', 'DNSNames', 'Dns', 'DnsOptions',
  'DnsSearch', 'ExtraHosts', 'GroupAdd', 'CapAdd', 'CapDrop', 'SecurityOpt', 'Devices', 'DeviceRequests',
  'DeviceCgroupRules', 'Ulimits', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'Mounts', 'MaskedPaths', 'ReadonlyPaths', 'VolumesFrom', 'Layers',
  'RepoTags', 'RepoDigests', 'Test', 'Log', 'ExecIDs', 'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'LinkLocalIPs',
  'Capabilities', 'Peers',
]) DOCKER_FIELD_KINDS[k] = 'slice';
for (const k of [
  'Labels', 'Volumes', 'ExposedPorts', 'PortBindings', 'Ports', 'Networks', 'Options', 'DriverOpts', 'Sysctls',
  'StorageOpt', 'Tmpfs', 'Annotations', 'Data', 'Containers', 'Status', 'UsageData',
]) DOCKER_FIELD_KINDS[k] = 'map';
for (const k of [
  'Health', 'Healthcheck', 'Node', 'SizeRw', 'SizeRootFs', 'StopTimeout', 'IPAMConfig', 'PidsLimit', 'OomKillDisable',
  'MemorySwappiness', 'Init',
]) DOCKER_FIELD_KINDS[k] = 'pointer';
for (const k of ['MacAddress', 'StopSignal', 'Domainname']) DOCKER_FIELD_KINDS[k] = 'string';
for (const k of ['ArgsEscaped', 'NetworkDisabled']) DOCKER_FIELD_KINDS[k] = 'bool';

export function dockerFieldKinds(key: string): FieldKind | undefined {
  return Object.prototype.hasOwnProperty.call(DOCKER_FIELD_KINDS, key) ? DOCKER_FIELD_KINDS[key] : undefined;
}

function withDockerKinds(opts: InspectOptions): InspectOptions {
  return 'fieldKinds' in opts ? opts : { ...opts, fieldKinds: dockerFieldKinds };
}

function inspectOne(tmpl: Template, item: unknown): { output?: string; error?: string } {
  // First pass: our reading of docker's typed structs.
  const typed = tmpl.executePartial(item);
  if (!typed.error) return { output: typed.output };
  // docker retries on the raw JSON (maps only) with missingkey=error.
  const raw = tmpl
    .withOptions({ missingKey: 'error', isStruct: neverStruct, rawJSON: true, strictStructs: false, fieldKinds: undefined })
    .executePartial(item);
  if (!raw.error) return { output: raw.output };
  return { error: `template parsing error: ${raw.error.message}` };
}

/**
 * Render `docker inspect -f FORMAT` over several objects. A template parse
 * error throws FormatError with exit code 64 (docker's StatusError for
 * inspect). An empty format or "json" print the objects as JSON (indented
 * with four spaces, or compact), like docker's element inspectors.
 */
export function renderInspect(format: string, items: unknown[], opts: InspectOptions = {}): InspectResult {
  if (format === '' || format === 'json') {
    if (items.length === 0) return { output: '[]\n', errors: [], exitCode: 0 };
    const json = goJSONMarshal(items, {
      escapeHTML: true,
      // Raw daemon JSON keeps its key order.
      isStruct: () => true,
      indent: format === '' ? '    ' : undefined,
    });
    return { output: json + '\n', errors: [], exitCode: 0 };
  }
  const tmpl = parseForFormatter(format, withDockerKinds(opts), 64);
  let output = '';
  const errors: string[] = [];
  for (const item of items) {
    const r = inspectOne(tmpl, item);
    if (r.error !== undefined) errors.push(r.error);
    else output += r.output + '\n';
  }
  if (output === '') output = '\n';
  return { output, errors, exitCode: errors.length ? 1 : 0 };
}

/**
 * Render one object with an inspect-style template: the result plus the
 * trailing newline docker prints. Throws FormatError on failure.
 */
export function renderOne(format: string, item: unknown, opts: InspectOptions = {}): string {
  const tmpl = parseForFormatter(format, withDockerKinds(opts), 64);
  const r = inspectOne(tmpl, item);
  if (r.error !== undefined) {
    const goMsg = r.error.replace(/^template parsing error: /, '');
    throw new FormatError(r.error, 'exec', goMsg, 1);
  }
  return r.output + '\n';
}
