// `-v` and `--mount` as the docker CLI reads them: which -v values are binds (the compose
// loader's ParseVolume) and the HostConfig.Mounts entry of a --mount value (opts.MountOpt).
import * as path from 'node:path';
import type { MountRequest } from '../../api/types.js';
import { ramInBytes } from '../../common/units.js';
import { parseGoBool } from '../flags.js';
import { readCsvRecord } from './network-opts.js';

/** `C:` at the start of a section is a Windows drive, not a separator. */
const isWindowsDrive = (section: string, char: string) => char === ':' && section.length === 1 && /\p{L}/u.test(section);

/**
 * The source of a -v value ('' for an anonymous volume), with the loader's errors: an empty
 * value, an empty section, or a fourth section.
 */
export function volumeSource(spec: string): string {
  if (spec === '') throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return '';
  const sections: string[] = [];
  let section = '';
  for (const char of [...spec, '']) {
    if (isWindowsDrive(section, char)) section += char;
    else if (char === ':' || char === '') {
      if (section === '') throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (sections.length === 2 && char === ':') throw new Error(`invalid spec: ${spec}: too many colons`);
      sections.push(section);
      section = '';
    } else section += char;
  }
  return sections.length > 1 ? sections[0] : '';
}

/** A -v bind whose host part is `.` or starts with `./` gets an absolute host path (docker 23+). */
export function absoluteBind(spec: string): string {
  const colon = spec.indexOf(':');
  const host = spec.slice(0, colon);
  return host === '.' || host.startsWith('./') ? `${path.resolve(host)}${spec.slice(colon)}` : spec;
}

/** One --mount value: CSV fields, key=value or a bare flag, checked for its type. */
export function parseMountOpt(value: string): MountRequest {
  const mount: MountRequest = { Type: 'volume', Target: '' };
  let volumeOptions: NonNullable<MountRequest['VolumeOptions']> | undefined;
  const volume = () => (volumeOptions ??= mount.VolumeOptions = { Labels: {}, DriverConfig: {} });
  const bind = () => (mount.BindOptions ??= {});
  const tmpfs = () => (mount.TmpfsOptions ??= {});
  const bool = (key: string, val: string) => {
    try {
      return parseGoBool(val);
    } catch {
      throw new Error(`invalid value for ${key}: ${val}`);
    }
  };
  const setOnMap = (map: Record<string, string>, entry: string) => {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key) map[key] = eq < 0 ? '' : entry.slice(eq + 1);
  };
  for (const field of readCsvRecord(value)) {
    const eq = field.indexOf('=');
    if (eq < 0) {
      if (field === 'readonly' || field === 'ro') mount.ReadOnly = true;
      else if (field === 'volume-nocopy') volume().NoCopy = true;
      else if (field === 'bind-nonrecursive') bind().NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const key = field.slice(0, eq);
    const val = field.slice(eq + 1);
    switch (key) {
      case 'type':
        mount.Type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        mount.Source = val === '.' || val.startsWith('./') ? path.resolve(val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = val;
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = bool(key, val);
        break;
      case 'consistency':
        mount.Consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bind().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bind().NonRecursive = bool(key, val);
        break;
      case 'bind-recursive':
        if (val !== 'enabled' && val !== 'disabled') throw new Error(`invalid value for ${key}: ${val}`);
        bind().NonRecursive = val === 'disabled';
        break;
      case 'volume-nocopy':
        volume().NoCopy = bool(key, val);
        break;
      case 'volume-label':
        setOnMap((volume().Labels ??= {}), val);
        break;
      case 'volume-driver':
        volume().DriverConfig!.Name = val;
        break;
      case 'volume-opt':
        setOnMap((volume().DriverConfig!.Options ??= {}), val);
        break;
      case 'volume-subpath':
        volume().Subpath = val;
        break;
      case 'tmpfs-size':
        try {
          tmpfs().SizeBytes = ramInBytes(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfs().Mode = parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Type) throw new Error('type is required');
  if (!mount.Target) throw new Error('target is required');
  for (const [options, kind] of [[mount.VolumeOptions, 'volume'], [mount.BindOptions, 'bind'], [mount.TmpfsOptions, 'tmpfs']] as const) {
    if (options && mount.Type !== kind) throw new Error(`cannot mix '${kind}-*' options with mount type '${mount.Type}'`);
  }
  return goOrder(mount);
}

/** The fields in the order of Go's mount.Mount, empty ones left out as its omitempty tags do. */
function goOrder(m: MountRequest): MountRequest {
  const v = m.VolumeOptions;
  // Go writes a map's keys sorted.
  const sorted = (map: Record<string, string> | null | undefined) => (map && Object.keys(map).length ? Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1))) : undefined);
  const driver = v?.DriverConfig;
  const pick = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== false && x !== '' && x !== 0)) as T;
  return pick({
    Type: m.Type,
    Source: m.Source,
    Target: m.Target,
    ReadOnly: m.ReadOnly,
    Consistency: m.Consistency,
    BindOptions: m.BindOptions ? pick({ Propagation: m.BindOptions.Propagation, NonRecursive: m.BindOptions.NonRecursive }) : undefined,
    VolumeOptions: v ? pick({ NoCopy: v.NoCopy, Labels: sorted(v.Labels), Subpath: v.Subpath, DriverConfig: driver && pick({ Name: driver.Name, Options: sorted(driver.Options) }) }) : undefined,
    TmpfsOptions: m.TmpfsOptions ? pick({ SizeBytes: m.TmpfsOptions.SizeBytes, Mode: m.TmpfsOptions.Mode }) : undefined,
  });
}
