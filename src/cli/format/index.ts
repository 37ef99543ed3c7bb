// Public surface of berth's Go-template formatting (docker --format / -f).
export { parseTemplate, Template, TemplateError } from './template.js';
export type { TemplateOptions, FuncMap, FuncDef, PlainFunc, ParamType } from './template.js';
export {
  renderList, renderInspect, renderOne, preprocessFormat, isTableFormat, FormatError,
} from './formatter.js';
export type { ListFormatOptions, InspectOptions, InspectResult, HeaderContext } from './formatter.js';
export { TabWriter, tabwrite, DOCKER_TABLE_OPTIONS, displayWidth, runeCountWidth } from './tabwriter.js';
export type { TabWriterOptions } from './tabwriter.js';
export { sprint, sprintf, sprintln, formatValue, defaultIsStruct, neverStruct } from './gofmt.js';
export { goJSONMarshal } from './gojson.js';
