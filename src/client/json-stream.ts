// Newline-delimited JSON messages (progress of pull/import/load, events).
import type { Readable } from 'node:stream';

export async function* jsonMessages<T>(stream: Readable): AsyncGenerator<T> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += (chunk as Buffer).toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (buffered.trim()) yield JSON.parse(buffered) as T;
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
