// Showing a JSON progress stream (pull, import, load) the way docker's jsonmessage does on a
// non-terminal: "<id>: <status>" lines and `stream` text; an error message ends the stream.
import type { Readable } from 'node:stream';
import { drainProgress } from '../../client/client.js';
import type { JsonMessage } from '../../client/json-stream.js';

export function progressPrinter(out: NodeJS.WritableStream): (msg: JsonMessage) => void {
  return (msg) => {
    if (msg.stream !== undefined) {
      out.write(msg.stream);
      return;
    }
    if (!msg.status) return;
    if (msg.progress && !(out as NodeJS.WriteStream).isTTY) return;
    out.write(`${msg.id ? `${msg.id}: ` : ''}${msg.status}${msg.progress ? ` ${msg.progress}` : ''}\n`);
  };
}

export function showProgress(res: Readable, out: NodeJS.WritableStream): Promise<void> {
  return drainProgress(res, progressPrinter(out));
}
