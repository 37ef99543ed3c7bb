// berth port / container port: a container's published ports from its inspect document.
import type { PortMap } from '../../../api/types.js';
import type { Command } from '../../command.js';
import { joinHostPort, parseUint16 } from '../../util/ports.js';
import { naturalCompare } from '../../util/sortorder.js';

/**
 * docker's runPort: every mapping as `80/tcp -> 0.0.0.0:8080`, or the host addresses of one
 * private port (tcp when no protocol is given), in natural order.
 */
export function portLines(ports: PortMap | null | undefined, container: string, privatePort?: string): string[] {
  const out: string[] = [];
  if (privatePort !== undefined) {
    const slash = privatePort.indexOf('/');
    const port = slash < 0 ? privatePort : privatePort.slice(0, slash);
    const proto = (slash < 0 ? '' : privatePort.slice(slash + 1)) || 'tcp';
    try {
      parseUint16(port);
    } catch (err) {
      throw new Error(`Error: invalid port (${port}): ${(err as Error).message}`);
    }
    const frontends = ports?.[`${port}/${proto}`];
    if (!frontends?.length) throw new Error(`Error: No public port '${privatePort}' published for ${container}`);
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports ?? {})) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  return out.sort(naturalCompare);
}

export const portCommand: Command = {
  name: 'port',
  use: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  flags: [],
  args: { min: 1, max: 2 },
  async run(cli, _flags, [container, privatePort]) {
    const inspect = await cli.client().containerInspect(container);
    const lines = portLines(inspect.NetworkSettings?.Ports, container, privatePort);
    if (lines.length) cli.out.write(`${lines.join('\n')}\n`);
  },
};
