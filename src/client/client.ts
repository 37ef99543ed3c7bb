// A typed Engine API client: one method per endpoint the CLI uses.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateRequest,
  ContainerInspect,
  ContainerSummary,
  ContainerTopResponse,
  ContainerWaitResponse,
  EventMessage,
  ExecCreateRequest,
  ExecInspect,
  FilesystemChange,
  HistoryResponseItem,
  ImageRunConfig,
  ImageSummary,
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkPruneResponse,
  NetworkResource,
  Volume,
  VolumeCreateRequest,
  VolumeListResponse,
  VolumePruneResponse,
} from '../api/types.js';
import type { ContainerPathStat } from '../archive/copy.js';
import { jsonLines, jsonMessages, type JsonMessage } from './json-stream.js';
import { Transport, type Hijacked, type Query } from './transport.js';

/** Filters as `--filter key=value` collects them; sent as Docker's `{"key":{"value":true}}` JSON. */
export type Filters = Map<string, string[]>;

export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters || filters.size === 0) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const [key, values] of filters) out[key] = Object.fromEntries(values.map((v) => [v, true]));
  return JSON.stringify(out);
}

const enc = encodeURIComponent;

export interface AttachOptions {
  stream?: boolean;
  logs?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  detachKeys?: string;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
  tail?: string;
  details?: boolean;
}

export interface PruneReport {
  ContainersDeleted?: string[] | null;
  ImagesDeleted?: { Untagged?: string; Deleted?: string }[] | null;
  SpaceReclaimed: number;
}

export type ImageDeleteItem = { Untagged?: string; Deleted?: string };

export class EngineClient {
  readonly transport: Transport;

  constructor(readonly host: string, fixedVersion?: string) {
    this.transport = new Transport(host, fixedVersion);
  }

  apiVersion(): Promise<string> {
    return this.transport.apiVersion();
  }

  // --- containers

  containerCreate(config: ContainerCreateRequest, name?: string, platform?: string): Promise<{ Id: string; Warnings: string[] | null }> {
    return this.transport.json('POST', '/containers/create', { query: { name: name || undefined, platform }, body: config });
  }

  containerInspect(id: string, size = false): Promise<ContainerInspect> {
    return this.transport.json('GET', `/containers/${enc(id)}/json`, { query: { size } });
  }

  /** The inspect document as the daemon sent it (docker prints it re-indented, not re-encoded). */
  containerInspectRaw(id: string, size = false): Promise<string> {
    return this.transport.text('GET', `/containers/${enc(id)}/json`, { query: { size } });
  }

  containerList(query: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    return this.transport.json('GET', '/containers/json', {
      query: { all: query.all, limit: query.limit, size: query.size, filters: encodeFilters(query.filters) },
    });
  }

  containerStart(id: string, detachKeys?: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/start`, { query: { detachKeys } });
  }

  containerStop(id: string, timeout?: number, signal?: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/stop`, { query: { t: timeout, signal } });
  }

  containerRestart(id: string, timeout?: number, signal?: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/restart`, { query: { t: timeout, signal } });
  }

  containerKill(id: string, signal?: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/kill`, { query: { signal } });
  }

  containerRemove(id: string, opts: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void> {
    return this.transport.discard('DELETE', `/containers/${enc(id)}`, { query: { force: opts.force, v: opts.volumes, link: opts.link } });
  }

  containerRename(id: string, name: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/rename`, { query: { name } });
  }

  containerPause(id: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/pause`);
  }

  containerUnpause(id: string): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/unpause`);
  }

  containerResize(id: string, height: number, width: number): Promise<void> {
    return this.transport.discard('POST', `/containers/${enc(id)}/resize`, { query: { h: height, w: width } });
  }

  containerAttach(id: string, opts: AttachOptions): Promise<Hijacked> {
    const query: Query = { ...opts };
    return this.transport.hijack('POST', `/containers/${enc(id)}/attach`, { query });
  }

  /**
   * Registers a wait; resolves once the daemon has accepted it (response headers),
   * giving the eventual result, so that a following start cannot be missed.
   */
  async containerWait(id: string, condition?: string): Promise<{ result: Promise<ContainerWaitResponse> }> {
    const res = await this.transport.request('POST', `/containers/${enc(id)}/wait`, { query: { condition } });
    const result = (async () => {
      for await (const msg of jsonMessages<ContainerWaitResponse>(res)) return msg;
      throw new Error('unexpected EOF');
    })();
    result.catch(() => {});
    return { result };
  }

  containerLogs(id: string, opts: LogsOptions): Promise<IncomingMessage> {
    return this.transport.request('GET', `/containers/${enc(id)}/logs`, { query: { ...opts } });
  }

  containerPrune(filters?: Filters): Promise<PruneReport> {
    return this.transport.json('POST', '/containers/prune', { query: { filters: encodeFilters(filters) } });
  }

  containerCommit(
    id: string,
    opts: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] },
    config?: ImageRunConfig,
  ): Promise<{ Id: string }> {
    return this.transport.json('POST', '/commit', {
      query: { container: id, repo: opts.repo, tag: opts.tag, comment: opts.comment, author: opts.author, pause: opts.pause ? undefined : '0', changes: opts.changes },
      body: config,
    });
  }

  /** `ps` in the container; no arguments leaves dockerd's default (`-ef`). */
  containerTop(id: string, psArgs: string[]): Promise<ContainerTopResponse> {
    return this.transport.json('GET', `/containers/${enc(id)}/top`, { query: { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined } });
  }

  containerChanges(id: string): Promise<FilesystemChange[] | null> {
    return this.transport.json('GET', `/containers/${enc(id)}/changes`);
  }

  /** The container's file system as a tar stream. */
  containerExport(id: string): Promise<IncomingMessage> {
    return this.transport.request('GET', `/containers/${enc(id)}/export`);
  }

  /** HEAD /containers/{id}/archive: what is at a path in the container. */
  async containerStatPath(id: string, path: string): Promise<ContainerPathStat> {
    const res = await this.transport.request('HEAD', `/containers/${enc(id)}/archive`, { query: { path } });
    res.resume();
    return pathStatOf(res);
  }

  /** GET /containers/{id}/archive: a tar of the path, named by its base name, and its stat. */
  async copyFromContainer(id: string, path: string): Promise<{ content: IncomingMessage; stat: ContainerPathStat }> {
    const content = await this.transport.request('GET', `/containers/${enc(id)}/archive`, { query: { path } });
    return { content, stat: pathStatOf(content) };
  }

  /** PUT /containers/{id}/archive: extracts a tar into the directory at path (as the docker CLI, never a directory replaced by a file). */
  copyToContainer(id: string, path: string, content: Readable, opts: { copyUIDGID: boolean }): Promise<void> {
    return this.transport.discard('PUT', `/containers/${enc(id)}/archive`, { query: { path, noOverwriteDirNonDir: true, copyUIDGID: opts.copyUIDGID }, body: content });
  }

  /** GET /containers/{id}/stats: a sample a second with `stream`, else one (after a second, for the CPU share). */
  containerStats(id: string, stream: boolean): Promise<IncomingMessage> {
    return this.transport.request('GET', `/containers/${enc(id)}/stats`, { query: { stream: stream ? '1' : '0' } });
  }

  // --- exec

  execCreate(container: string, config: ExecCreateRequest): Promise<{ Id: string }> {
    return this.transport.json('POST', `/containers/${enc(container)}/exec`, { body: config });
  }

  execStart(id: string, opts: { Detach: boolean; Tty: boolean; ConsoleSize?: [number, number] }): Promise<void> {
    return this.transport.discard('POST', `/exec/${enc(id)}/start`, { body: opts });
  }

  execAttach(id: string, opts: { Tty: boolean; ConsoleSize?: [number, number] }): Promise<Hijacked> {
    return this.transport.hijack('POST', `/exec/${enc(id)}/start`, { body: { Detach: false, ...opts } });
  }

  execInspect(id: string): Promise<ExecInspect> {
    return this.transport.json('GET', `/exec/${enc(id)}/json`);
  }

  execResize(id: string, height: number, width: number): Promise<void> {
    return this.transport.discard('POST', `/exec/${enc(id)}/resize`, { query: { h: height, w: width } });
  }

  // --- images

  imageList(query: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]> {
    return this.transport.json('GET', '/images/json', { query: { all: query.all, digests: query.digests, filters: encodeFilters(query.filters) } });
  }

  imageInspectRaw(name: string): Promise<string> {
    return this.transport.text('GET', `/images/${name}/json`);
  }

  imageHistory(name: string): Promise<HistoryResponseItem[]> {
    return this.transport.json('GET', `/images/${name}/history`);
  }

  imageTag(name: string, repo: string, tag?: string): Promise<void> {
    return this.transport.discard('POST', `/images/${name}/tag`, { query: { repo, tag } });
  }

  imageRemove(name: string, opts: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]> {
    return this.transport.json('DELETE', `/images/${name}`, { query: { force: opts.force, noprune: opts.noprune } });
  }

  /** POST /images/create: a pull (fromImage) or an import (fromSrc); returns the progress stream. */
  imageCreate(query: Query, body?: Readable): Promise<IncomingMessage> {
    return this.transport.request('POST', '/images/create', { query, body });
  }

  imageLoad(body: Readable, quiet: boolean): Promise<IncomingMessage> {
    return this.transport.request('POST', '/images/load', { query: { quiet }, body });
  }

  imageSave(names: string[]): Promise<IncomingMessage> {
    return this.transport.request('GET', '/images/get', { query: { names } });
  }

  /** POST /build: the context tar as the body; returns the JSON progress stream. */
  imageBuild(query: Query, body: Readable, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return this.transport.request('POST', '/build', {
      query,
      body,
      headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': Buffer.from('{}').toString('base64'), ...headers },
    });
  }

  imagePrune(filters?: Filters): Promise<PruneReport> {
    return this.transport.json('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
  }

  // --- networks

  networkCreate(config: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return this.transport.json('POST', '/networks/create', { body: config });
  }

  networkList(filters?: Filters): Promise<NetworkResource[]> {
    return this.transport.json('GET', '/networks', { query: { filters: encodeFilters(filters) } });
  }

  networkInspect(id: string, verbose = false): Promise<NetworkResource> {
    return this.transport.json('GET', `/networks/${enc(id)}`, { query: { verbose } });
  }

  /** The inspect document as the daemon sent it (docker prints it re-indented, not re-encoded). */
  networkInspectRaw(id: string, verbose = false): Promise<string> {
    return this.transport.text('GET', `/networks/${enc(id)}`, { query: { verbose } });
  }

  networkRemove(id: string): Promise<void> {
    return this.transport.discard('DELETE', `/networks/${enc(id)}`);
  }

  networkConnect(id: string, request: NetworkConnectRequest): Promise<void> {
    return this.transport.discard('POST', `/networks/${enc(id)}/connect`, { body: request });
  }

  networkDisconnect(id: string, request: NetworkDisconnectRequest): Promise<void> {
    return this.transport.discard('POST', `/networks/${enc(id)}/disconnect`, { body: request });
  }

  networkPrune(filters?: Filters): Promise<NetworkPruneResponse> {
    return this.transport.json('POST', '/networks/prune', { query: { filters: encodeFilters(filters) } });
  }

  // --- volumes

  volumeCreate(request: VolumeCreateRequest): Promise<Volume> {
    return this.transport.json('POST', '/volumes/create', { body: request });
  }

  volumeList(filters?: Filters): Promise<VolumeListResponse> {
    return this.transport.json('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
  }

  /** The inspect document as the daemon sent it. */
  volumeInspectRaw(name: string): Promise<string> {
    return this.transport.text('GET', `/volumes/${enc(name)}`);
  }

  volumeRemove(name: string, force: boolean): Promise<void> {
    return this.transport.discard('DELETE', `/volumes/${enc(name)}`, { query: { force } });
  }

  volumePrune(filters?: Filters): Promise<VolumePruneResponse> {
    return this.transport.json('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
  }

  // --- system

  version(): Promise<Record<string, unknown>> {
    return this.transport.json('GET', '/version');
  }

  info(): Promise<Record<string, unknown>> {
    return this.transport.json('GET', '/info');
  }

  /** The event stream; each event also as the line the daemon sent (for `--format json`). */
  async *events(query: { since?: string; until?: string; filters?: Filters }): AsyncGenerator<{ event: EventMessage; raw: string }> {
    const res = await this.transport.request('GET', '/events', { query: { since: query.since, until: query.until, filters: encodeFilters(query.filters) } });
    for await (const raw of jsonLines(res)) yield { event: JSON.parse(raw) as EventMessage, raw };
  }
}

/** The stat berthd sends with an archive (base64 JSON in X-Docker-Container-Path-Stat). */
function pathStatOf(res: IncomingMessage): ContainerPathStat {
  try {
    return JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString()) as ContainerPathStat;
  } catch (err) {
    throw new Error(`unable to get resource stat from response: ${(err as Error).message}`);
  }
}

/** Reads a progress stream to its end; an `error` message in it becomes a thrown Error. */
export async function drainProgress(res: Readable, onMessage?: (msg: JsonMessage) => void): Promise<void> {
  for await (const msg of jsonMessages<JsonMessage>(res)) {
    if (msg.error || msg.errorDetail) throw new Error(msg.errorDetail?.message ?? msg.error);
    onMessage?.(msg);
  }
}
