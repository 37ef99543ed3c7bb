import { randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../common/atomic-fs.js';
import { errorMessage } from '../common/errors.js';
import { log, setLogLevel } from '../common/log.js';
import { Monitor } from '../runtime/monitor.js';
import { chooseRuntime, findBinary, OciRuntime } from '../runtime/oci-runtime.js';
import { daemonUsage, parseDaemonArgs, type DaemonConfig } from './config.js';
import { registerBuildRoutes } from './routes/build.js';
import { registerContainerInspectionRoutes } from './routes/container-inspection.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerContainerArchiveRoutes } from './routes/container-archive.js';
import { registerContainerStatsRoutes } from './routes/container-stats.js';
import { registerExecRoutes } from './routes/exec.js';
import { registerSystemRoutes } from './routes/system.js';
import { BuilderService } from './services/builder.js';
import { ContainerService } from './services/containers.js';
import { ContainerArchiveService } from './services/container-archive.js';
import { EventService } from './services/events.js';
import { ExecService } from './services/exec.js';
import { ImageService } from './services/images.js';
import { registerImageRoutes } from './routes/images.js';
import { registerNetworkRoutes } from './routes/networks.js';
import { NetworkService } from './services/networks.js';
import { registerVolumeRoutes } from './routes/volumes.js';
import { VolumeService } from './services/volumes.js';
import { ContainerStore } from '../store/container-store.js';
import { listen } from './server/listener.js';
import { Router } from './server/router.js';

/** Wires the layers together: stores and runtime → services → API routes → listeners. */
async function startDaemon(config: DaemonConfig): Promise<Server[]> {
  setLogLevel(config.logLevel);
  await fs.mkdir(config.dataRoot, { recursive: true, mode: 0o710 });
  await fs.mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  await claimExecRoot(config.execRoot);
  if (config.pidfile) await writeFileAtomic(config.pidfile, `${process.pid}`, 0o644);

  const runtimeName = chooseRuntime(config.runtime);
  const runtimeBinary = findBinary(runtimeName);
  if (!runtimeBinary) throw new Error(`${runtimeName} not found: install Debian package ${runtimeName}`);
  const runtime = new OciRuntime(runtimeName, runtimeBinary, path.join(config.execRoot, 'runtime', runtimeName));
  const monitor = new Monitor(runtime, path.join(config.execRoot, 'sockets'), path.join(config.execRoot, 'exits'));

  const events = new EventService();
  const images = new ImageService({ dataRoot: config.dataRoot, events });
  await images.init();
  const store = new ContainerStore(path.join(config.dataRoot, 'containers'));
  const networks = new NetworkService({ dataRoot: config.dataRoot, execRoot: config.execRoot, config: config.network, containers: store, events });
  const volumes = new VolumeService({ dataRoot: config.dataRoot, execRoot: config.execRoot, events, containers: store });
  const containers = new ContainerService({ dataRoot: config.dataRoot, execRoot: config.execRoot, images, runtime, monitor, events, networks, volumes, store });
  await volumes.init();
  await containers.init();
  // After the containers: exits missed while berthd was away have released their addresses and volumes.
  await networks.init();
  volumes.restoreMounts();
  images.setUsageCheck((imageId) => containers.store.all().find((r) => r.image === imageId)?.id);
  const execs = new ExecService({ execRoot: config.execRoot, containers, monitor, events });

  const router = new Router();
  registerSystemRoutes(router, { config, containers, images, events, runtimeName, daemonId: await daemonId(config.dataRoot) });
  registerContainerRoutes(router, containers, execs, images);
  registerContainerArchiveRoutes(router, new ContainerArchiveService(containers, events));
  registerContainerStatsRoutes(router, store);
  await registerContainerInspectionRoutes(router, { containers, images, events, execRoot: config.execRoot });
  registerExecRoutes(router, execs);
  registerImageRoutes(router, images);
  registerBuildRoutes(router, new BuilderService(images, containers));
  registerNetworkRoutes(router, networks, store);
  registerVolumeRoutes(router, volumes);

  const servers = await Promise.all(config.hosts.map((host) => listen(router, host)));
  log.info('berthd started', { hosts: config.hosts, runtime: runtimeName, dataRoot: config.dataRoot });
  return servers;
}

/**
 * One berthd per exec root: two would both watch the same exit files and monitors.
 * The lock holds the owner's pid; a lock whose process is gone is taken over.
 */
async function claimExecRoot(execRoot: string): Promise<void> {
  const lock = path.join(execRoot, 'berthd.lock');
  const owner = Number(await fs.readFile(lock, 'utf8').catch(() => '0'));
  if (owner && owner !== process.pid && isBerthd(owner)) {
    throw new Error(`another berthd (pid ${owner}) is using the exec root ${execRoot}`);
  }
  await writeFileAtomic(lock, `${process.pid}`, 0o644);
}

function isBerthd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('berthd');
  } catch {
    return false;
  }
}

async function daemonId(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, 'engine-id');
  const existing = await readJsonIfExists<string>(file);
  if (existing) return existing;
  const id = randomUUID();
  await writeFileAtomic(file, JSON.stringify(id));
  return id;
}

async function main(): Promise<void> {
  let config: DaemonConfig | 'help';
  try {
    config = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`berthd: ${errorMessage(err)}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (config === 'help') {
    process.stdout.write(daemonUsage);
    return;
  }
  const servers = await startDaemon(config).catch((err) => {
    log.error('failed to start daemon', { err: errorMessage(err) });
    process.exit(1);
  });
  const cfg = config;
  // Containers run under their monitors: stopping berthd leaves them running (live restore).
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    void (cfg.pidfile ? fs.rm(cfg.pidfile, { force: true }) : Promise.resolve()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
