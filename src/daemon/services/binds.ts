import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { MountPoint } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import type { OciMount } from '../../runtime/oci-spec.js';

/** One `-v /host:/container[:opts]` bind (HostConfig.Binds). */
export interface Bind {
  source: string;
  destination: string;
  readOnly: boolean;
  propagation: string;
  mode: string;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/**
 * Parses Docker's bind syntax. Only host paths are supported until volumes land:
 * a named volume is a clear 400 instead of a silent empty directory.
 */
export function parseBinds(binds: string[]): Bind[] {
  return binds.map((spec) => {
    const parts = spec.split(':');
    if (parts.length < 2 || parts.length > 3) throw badParameter(`invalid volume specification: '${spec}'`);
    const [source, destination, mode = ''] = parts;
    if (!path.isAbsolute(destination)) {
      throw badParameter(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${destination}' mount path must be absolute`);
    }
    if (!path.isAbsolute(source)) throw badParameter(`named volumes are not supported yet (volume "${source}" in '${spec}')`);
    const options = mode ? mode.split(',') : [];
    for (const o of options) {
      if (!['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(o)) throw badParameter(`invalid mode: ${mode}`);
    }
    return {
      source,
      destination: path.normalize(destination),
      readOnly: options.includes('ro'),
      propagation: options.find((o) => PROPAGATIONS.includes(o)) ?? 'rprivate',
      mode,
    };
  });
}

/** The OCI mounts for the binds; a missing host directory is created, as Docker does for -v. */
export function bindMounts(binds: Bind[]): OciMount[] {
  return binds.map((b) => ({
    destination: b.destination,
    type: 'bind',
    source: b.source,
    options: ['rbind', b.readOnly ? 'ro' : 'rw', b.propagation],
  }));
}

export function missingSources(binds: Bind[]): string[] {
  return binds.filter((b) => !existsSync(b.source)).map((b) => b.source);
}

/** `Mounts` of inspect and ps. */
export function mountPoints(binds: Bind[]): MountPoint[] {
  return binds.map((b) => ({
    Type: 'bind',
    Source: b.source,
    Destination: b.destination,
    Mode: b.mode,
    RW: !b.readOnly,
    Propagation: b.propagation,
  }));
}
