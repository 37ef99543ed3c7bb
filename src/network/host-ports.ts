// Host ports of published container ports. berth holds a socket on each one while it
// is published: nothing else on the host can take a port whose traffic the firewall
// sends to a container, and a port already in use is refused up front. The sockets
// never see a packet (the DNAT comes first) and cost a file descriptor each, not a
// process as dockerd's userland proxy does.
import * as dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { ApiError } from '../common/errors.js';

export type PortProtocol = 'tcp' | 'udp';

interface Held {
  close(): void;
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // dockerd's own default below
  }
  return [49153, 65535];
}

function hold(proto: PortProtocol, hostIp: string, port: number): Promise<Held> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      socket.once('error', reject);
      socket.bind({ address: host, port, exclusive: true }, () => {
        socket.removeListener('error', reject);
        // Nothing reads these sockets; an error on one must not take berthd down.
        socket.on('error', () => undefined);
        socket.unref();
        resolve({ close: () => socket.close() });
      });
    } else {
      // Should a connection ever reach it (the rules flushed under berthd), it is refused.
      const server = net.createServer((connection) => connection.destroy());
      server.once('error', reject);
      server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
        server.removeListener('error', reject);
        server.on('error', () => undefined);
        server.unref();
        resolve({ close: () => server.close() });
      });
    }
  });
}

export class HostPorts {
  private readonly held = new Map<string, Held>();
  private readonly range = ephemeralRange();
  private next = this.range[0];

  private static key(proto: PortProtocol, hostIp: string, port: number): string {
    return `${proto}/${hostIp || '0.0.0.0'}:${port}`;
  }

  private takenByUs(proto: PortProtocol, hostIp: string, port: number): boolean {
    const ip = hostIp || '0.0.0.0';
    for (const key of this.held.keys()) {
      const [p, rest] = key.split('/');
      const colon = rest.lastIndexOf(':');
      const [heldIp, heldPort] = [rest.slice(0, colon), Number(rest.slice(colon + 1))];
      if (p === proto && heldPort === port && (heldIp === ip || heldIp === '0.0.0.0' || ip === '0.0.0.0')) return true;
    }
    return false;
  }

  /** Takes `port` (0: a free one of the ephemeral range, as dockerd picks them) and returns it. */
  async reserve(proto: PortProtocol, hostIp: string, port: number): Promise<number> {
    if (port) {
      const shown = `${hostIp || '0.0.0.0'}:${port}`;
      if (this.takenByUs(proto, hostIp, port)) throw new ApiError(500, `Bind for ${shown} failed: port is already allocated`);
      try {
        this.held.set(HostPorts.key(proto, hostIp, port), await hold(proto, hostIp, port));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === 'EADDRINUSE' ? 'address already in use' : code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : String(code);
        throw new ApiError(500, `listen ${proto}4 ${shown}: bind: ${reason}`);
      }
      return port;
    }
    const [low, high] = this.range;
    for (let tries = 0; tries <= high - low; tries++) {
      const candidate = this.next;
      this.next = candidate >= high ? low : candidate + 1;
      if (this.takenByUs(proto, hostIp, candidate)) continue;
      try {
        this.held.set(HostPorts.key(proto, hostIp, candidate), await hold(proto, hostIp, candidate));
        return candidate;
      } catch {
        // in use by another program: try the next one
      }
    }
    throw new ApiError(500, `Bind for ${hostIp || '0.0.0.0'}:0 failed: all ports are allocated`);
  }

  release(proto: PortProtocol, hostIp: string, port: number): void {
    const key = HostPorts.key(proto, hostIp, port);
    this.held.get(key)?.close();
    this.held.delete(key);
  }

  get count(): number {
    return this.held.size;
  }
}
