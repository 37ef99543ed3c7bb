// go-units (HumanDuration, HumanSize, BytesSize, RAMInBytes) and docker's stringid/Ellipsis helpers.

export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3600000 / 24 / 365)} years`;
}

/** Go's %.<precision>g for the small, non-negative values the size helpers produce. */
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(value)));
  if (exp < -4 || exp >= precision) {
    const [mant, e] = value.toExponential(precision - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = value.toPrecision(precision);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]];
}

export function humanSize(size: number, precision = 4): string {
  const [value, unit] = scaled(size, 1000, DECIMAL);
  return formatG(value, precision) + unit;
}

export function bytesSize(size: number): string {
  const [value, unit] = scaled(size, 1024, BINARY);
  return formatG(value, 4) + unit;
}

const RAM_UNITS: Record<string, number> = { k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40, p: 2 ** 50 };

/** go-units RAMInBytes: "64m", "1.5g", "512" (binary multipliers). */
export function ramInBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) throw new Error(`invalid size: '${text}'`);
  const value = Number(m[1]);
  if (Number.isNaN(value)) throw new Error(`invalid size: '${text}'`);
  return Math.trunc(value * (m[2] ? RAM_UNITS[m[2].toLowerCase()] : 1));
}

/** stringid.TruncateID: drop the algorithm prefix, keep 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const bare = colon >= 0 ? id.slice(colon + 1) : id;
  return bare.slice(0, 12);
}

/** formatter.Ellipsis: shorten to `max` characters, the last being "…". */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (max <= 0) return '';
  if (chars.length <= max) return text;
  if (max === 1) return chars[0];
  return chars.slice(0, max - 1).join('') + '…';
}
