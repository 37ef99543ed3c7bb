// tar-stream decodes and encodes pax records as UTF-8 text. Extended attributes
// (`SCHILY.xattr.*`, e.g. security.capability) are binary, and a UTF-8 round trip
// corrupts them. We swap in pax codecs that keep xattr values byte-exact: they are
// carried as latin1 strings (one char per byte) between tar-stream and our code.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
// The package's "exports" hide headers.js; its absolute path reaches the same module
// instance tar-stream's extract and pack use.
const headers = require(path.join(path.dirname(require.resolve('tar-stream')), 'headers.js')) as {
  decodePax(buf: Buffer): Record<string, string>;
  encodePax(opts: { name?: string; linkname?: string | null; pax?: Record<string, string> | null }): Buffer;
};

export const XATTR_PREFIX = 'SCHILY.xattr.';
const isBinaryKey = (key: string) => key.startsWith(XATTR_PREFIX);

function decodePax(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let offset = 0;
  while (offset < buf.length) {
    const space = buf.indexOf(0x20, offset);
    if (space < 0) break;
    const len = parseInt(buf.toString('ascii', offset, space), 10);
    if (!len || offset + len > buf.length) break;
    const record = buf.subarray(space + 1, offset + len - 1); // drop the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq < 0) break;
    const key = record.toString('utf8', 0, eq);
    result[key] = record.toString(isBinaryKey(key) ? 'latin1' : 'utf8', eq + 1);
    offset += len;
  }
  return result;
}

/** One pax record: "<len> key=value\n", where len counts its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + String(body.length).length;
  if (String(len).length !== String(body.length).length) len = body.length + String(len).length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function encodePax(opts: { name?: string; linkname?: string | null; pax?: Record<string, string> | null }): Buffer {
  const parts: Buffer[] = [];
  if (opts.name) parts.push(paxRecord('path', Buffer.from(opts.name)));
  if (opts.linkname) parts.push(paxRecord('linkpath', Buffer.from(opts.linkname)));
  for (const [key, value] of Object.entries(opts.pax ?? {})) {
    parts.push(paxRecord(key, Buffer.from(value, isBinaryKey(key) ? 'latin1' : 'utf8')));
  }
  return Buffer.concat(parts);
}

headers.decodePax = decodePax;
headers.encodePax = encodePax;

/** The xattrs a pax header carries, as name → bytes. */
export function paxXattrs(pax: Record<string, string> | null | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(pax ?? {})) {
    if (isBinaryKey(key)) out.set(key.slice(XATTR_PREFIX.length), Buffer.from(value, 'latin1'));
  }
  return out;
}

export { paxRecord as _paxRecordForTest };
