// Public surface of berth's Go-template formatting (docker --format / -f).
export { parseTemplate, Template, TemplateError } from './template.js';
export type { TemplateOptions, FuncMap, FuncDef, PlainFunc, ParamType } from './template.js';
export {
  renderList, renderInspect, renderOne, preprocessFormat, isTableFormat, FormatError, headerLabel, dockerFieldKinds,
} from './formatter.js';
export type { ListFormatOptions, InspectOptions, InspectResult, HeaderContext } from './formatter.js';
export { TabWriter, tabwrite, DOCKER_TABLE_OPTIONS, displayWidth, runeCountWidth } from './tabwriter.js';
export type { TabWriterOptions } from './tabwriter.js';
export { sprint, sprintf, sprintln, formatValue, defaultIsStruct, neverStruct, GoNil, GoFloat } from './gofmt.js';
export type { FieldKind, FieldKinds } from './gofmt.js';
export { goJSONMarshal } from './gojson.js';
