// Time parsing and printing as the docker CLI does it (timetypes.GetTimestamp, Go time layouts).

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go's time.ParseDuration, in milliseconds; undefined when `text` is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-])?((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m && text !== '0' && text !== '+0' && text !== '-0') return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]];
  return text.startsWith('-') ? -total : total;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function zoneOffset(date: Date): string {
  const offset = -date.getTimezoneOffset();
  if (offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** The local zone's abbreviation as Go prints it (UTC, CET...) or a numeric fallback. */
function zoneName(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value === 'GMT' && date.getTimezoneOffset() === 0 ? 'UTC' : (part?.value ?? 'UTC');
}

function localParts(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Go's time.Time.String() for a whole-second time: "2006-01-02 15:04:05 -0700 MST". */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return `${localParts(date)} ${sign}${pad(Math.trunc(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)} ${zoneName(date)}`;
}

/** "2006-01-02T15:04:05.000000000Z07:00" in local time, from nanoseconds since the epoch. */
export function rfc3339NanoFixed(timeNano: bigint): string {
  const ms = Number(timeNano / 1000000n);
  const nanos = Number(((timeNano % 1000000000n) + 1000000000n) % 1000000000n);
  const date = new Date(ms);
  const local = localParts(date).replace(' ', 'T');
  return `${local}.${pad(nanos, 9)}${zoneOffset(date)}`;
}

/** Go's RFC3339 (seconds) in local time, as `docker history --format {{.CreatedAt}}` prints it. */
export function rfc3339(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  return `${localParts(date).replace(' ', 'T')}${zoneOffset(date)}`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?)?([zZ]|[+-]\d{2}:\d{2})?$/;

/**
 * timetypes.GetTimestamp: a duration ("10m") becomes now minus it, a date/RFC3339 time becomes
 * "seconds.nanoseconds", and a unix timestamp passes through.
 */
export function getTimestamp(value: string, now = Date.now()): string {
  const duration = parseGoDuration(value);
  if (value !== '0' && duration !== undefined) return String(Math.trunc((now - duration) / 1000));
  const m = TIMESTAMP.exec(value);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
    if (!zone) ms += new Date(ms).getTimezoneOffset() * 60000;
    else if (!/^[zZ]$/.test(zone)) ms -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60000;
    const nanos = frac ? Number((frac.slice(1) + '000000000').slice(0, 9)) : 0;
    return `${Math.floor(ms / 1000)}.${pad(nanos, 9)}`;
  }
  if (value.includes('-') || !/^\d+(\.\d+)?$/.test(value)) {
    if (value.includes('-')) throw new Error(`parsing time ${JSON.stringify(value)}: cannot parse`);
    throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  return value;
}
