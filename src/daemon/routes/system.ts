import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { API_VERSION, MIN_API_VERSION, type EventMessage } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import type { DaemonConfig } from '../config.js';
import type { ContainerService } from '../services/containers.js';
import type { EventService } from '../services/events.js';
import type { ImageService } from '../services/images.js';
import type { Router } from '../server/router.js';
import { parseTime } from './containers.js';

export const BERTH_VERSION = '0.1.0';

/** `_ping`, `version`, `info` and `events`. */
export function registerSystemRoutes(
  router: Router,
  deps: { config: DaemonConfig; containers: ContainerService; images: ImageService; events: EventService; runtimeName: string; daemonId: string },
): void {
  const pingHeaders = {
    'API-Version': API_VERSION,
    'Docker-Experimental': 'false',
    'Ostype': 'linux',
    'Builder-Version': '1',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    'Pragma': 'no-cache',
  };
  router.on('GET', '/_ping', (ctx) => ctx.send(200, 'OK', pingHeaders));
  router.on('HEAD', '/_ping', (ctx) => {
    ctx.res.writeHead(200, { ...pingHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
    ctx.res.end();
  });

  router.on('GET', '/version', (ctx) => {
    ctx.send(200, {
      Platform: { Name: 'berth' },
      Components: [
        {
          Name: 'Engine',
          Version: BERTH_VERSION,
          // Every detail the docker CLI prints for the engine (missing ones show blank).
          Details: {
            ApiVersion: API_VERSION,
            Arch: goArch(),
            BuildTime: '',
            Experimental: 'false',
            GitCommit: 'berth',
            GoVersion: `node${process.versions.node}`,
            KernelVersion: os.release(),
            MinAPIVersion: MIN_API_VERSION,
            Os: 'linux',
          },
        },
      ],
      Version: BERTH_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: os.release(),
      BuildTime: '',
    });
  });

  router.on('GET', '/info', (ctx) => {
    const records = deps.containers.store.all();
    const running = records.filter((r) => r.state.Running && !r.state.Paused).length;
    const paused = records.filter((r) => r.state.Paused).length;
    ctx.send(200, {
      ID: deps.daemonId,
      Containers: records.length,
      ContainersRunning: running,
      ContainersPaused: paused,
      ContainersStopped: records.length - running - paused,
      Images: deps.images.list().length,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Native Overlay Diff', 'true']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: false,
      KernelMemory: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      BridgeNfIptables: false,
      BridgeNfIp6tables: false,
      Debug: deps.config.logLevel === 'debug',
      NFd: 0,
      OomKillDisable: true,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: isCgroupV2() ? '2' : '1',
      NEventsListener: 0,
      KernelVersion: os.release(),
      OperatingSystem: osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { AllowNondistributableArtifactsCIDRs: [], AllowNondistributableArtifactsHostnames: [], InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [] },
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      GenericResources: null,
      DockerRootDir: deps.config.dataRoot,
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: { [deps.runtimeName]: { path: deps.runtimeName } },
      DefaultRuntime: deps.runtimeName,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
      SecurityOptions: ['name=seccomp,profile=default'],
      Warnings: [],
    });
  });

  router.on('GET', '/events', (ctx) => {
    const filters = ctx.filters();
    const since = ctx.query.get('since');
    const until = ctx.query.get('until');
    const sinceNs = since ? Math.floor(parseTime(since) * 1e9) : undefined;
    const untilS = until ? parseTime(until) : undefined;
    if (sinceNs !== undefined && untilS !== undefined && untilS * 1e9 < sinceNs) throw badParameter('`since` time cannot be after `until`');
    const res = ctx.stream('application/json');
    const matches = eventFilter(filters);
    const write = (e: EventMessage) => {
      if (matches(e)) res.write(JSON.stringify(e) + '\n');
    };
    if (sinceNs !== undefined) deps.events.since(sinceNs).forEach(write);
    const finishAt = untilS !== undefined ? untilS * 1000 - Date.now() : undefined;
    if (finishAt !== undefined && finishAt <= 0) {
      res.end();
      return;
    }
    const unsubscribe = deps.events.subscribe((e) => {
      if (untilS !== undefined && e.time > untilS) return;
      write(e);
    });
    const timer = finishAt !== undefined ? setTimeout(() => res.end(), finishAt) : undefined;
    ctx.req.socket.once('close', () => {
      unsubscribe();
      clearTimeout(timer);
    });
    res.once('finish', () => {
      unsubscribe();
      clearTimeout(timer);
    });
  });
}

/** Event filters: type, event (action), container, image, label, plus the others matching attributes. */
function eventFilter(filters: Map<string, string[]>): (e: EventMessage) => boolean {
  return (e) => {
    for (const [key, values] of filters) {
      if (values.length === 0) continue;
      const ok = values.some((v) => {
        switch (key) {
          case 'type':
            return e.Type === v;
          case 'event':
            return e.Action === v || e.Action.startsWith(`${v}:`);
          case 'container':
            return e.Type === 'container' && (e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v);
          case 'image':
            return e.Actor.Attributes.image === v || (e.Type === 'image' && (e.Actor.ID === v || e.Actor.Attributes.name === v));
          case 'volume':
            return e.Type === 'volume' && e.Actor.ID.startsWith(v);
          case 'label': {
            const [k, val] = v.split('=');
            return k in e.Actor.Attributes && (val === undefined || e.Actor.Attributes[k] === val);
          }
          default:
            return e.Actor.Attributes[key] === v;
        }
      });
      if (!ok) return false;
    }
    return true;
  };
}

function goArch(): string {
  return { x64: 'amd64', arm64: 'arm64', ia32: '386' }[process.arch as string] ?? process.arch;
}

function isCgroupV2(): boolean {
  return existsSync('/sys/fs/cgroup/cgroup.controllers');
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}
