import { promises as fs } from 'node:fs';
import { badParameter, errorMessage } from '../../common/errors.js';
import { ramInBytes } from '../../common/units.js';
import type { ContainerRecord } from '../../store/container-store.js';
import { rotatedPaths } from './container-logs.js';
import { writeControl } from '../../runtime/monitor.js';

function parseSize(spec: string): number {
  try {
    return ramInBytes(spec);
  } catch (err) {
    throw badParameter(`invalid value for max-size: ${errorMessage(err)}`);
  }
}

export interface LogSettings {
  /** Bytes before rotation; 0 for unbounded. */
  maxSize: number;
  maxFiles: number;
  /** conmon's own bound, should berthd be away to rotate: it truncates beyond it. */
  backstopSize?: number;
}

/** `--log-opt max-size=10m max-file=3`, in Docker's units (go-units RAMInBytes: k, m, g are 1024-based). */
export function logSettings(record: ContainerRecord): LogSettings {
  const config = record.hostConfig.LogConfig?.Config ?? {};
  const maxSize = config['max-size'] ? parseSize(config['max-size']) : 0;
  const maxFiles = config['max-file'] ? Number(config['max-file']) : 1;
  if (!Number.isInteger(maxFiles) || maxFiles < 1) throw badParameter(`invalid value for max-file: ${config['max-file']}`);
  return { maxSize, maxFiles, backstopSize: maxSize ? maxSize * 4 : undefined };
}

/**
 * Rotates running containers' logs the way kubelet does with conmon: when the file
 * passes max-size, shift `log.N` up, rename the live file to `log.1` and ask conmon
 * (through its control FIFO) to reopen a fresh file.
 */
export class LogRotator {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly bundleDir: (id: string) => string) {}

  watch(record: ContainerRecord, logPath: string): void {
    const { maxSize, maxFiles } = logSettings(record);
    if (!maxSize || this.timers.has(record.id)) return;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.rotateIfNeeded(record.id, logPath, maxSize, maxFiles).finally(() => (busy = false));
    }, 200);
    timer.unref();
    this.timers.set(record.id, timer);
  }

  unwatch(id: string): void {
    clearInterval(this.timers.get(id));
    this.timers.delete(id);
  }

  private async rotateIfNeeded(id: string, logPath: string, maxSize: number, maxFiles: number): Promise<void> {
    const stat = await fs.stat(logPath).catch(() => undefined);
    if (!stat || stat.size < maxSize) return;
    const rotated = rotatedPaths(logPath, maxFiles);
    if (rotated.length === 0) {
      await fs.truncate(logPath, 0);
      return;
    }
    for (let i = rotated.length - 1; i > 0; i--) await fs.rename(rotated[i - 1], rotated[i]).catch(() => undefined);
    await fs.rename(logPath, rotated[0]);
    await writeControl(this.bundleDir(id), '2 0 0\n').catch(() => undefined);
  }
}
