// Newline-delimited JSON messages (progress of pull/import/load, events).
import type { Readable } from 'node:stream';

/** The non-empty lines of a stream, as sent. */
export async function* jsonLines(stream: Readable): AsyncGenerator<string> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += (chunk as Buffer).toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
    }
  }
  if (buffered.trim()) yield buffered.trim();
}

export async function* jsonMessages<T>(stream: Readable): AsyncGenerator<T> {
  for await (const line of jsonLines(stream)) yield JSON.parse(line) as T;
}

/** A progress/status message as Docker's jsonmessage package defines it. */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message: string; code?: number };
  aux?: unknown;
}
