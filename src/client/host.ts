// Daemon addresses as the docker CLI accepts them: unix:///path, tcp://host:port, host:port.

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

export type Endpoint = { socketPath: string } | { host: string; port: number };

/** The host from -H, then DOCKER_HOST, then BERTH_HOST, then the default. */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.DOCKER_HOST || env.BERTH_HOST || DEFAULT_HOST;
}

export function parseHost(host: string): Endpoint {
  const sep = host.indexOf('://');
  const proto = sep < 0 ? 'tcp' : host.slice(0, sep);
  const rest = sep < 0 ? host : host.slice(sep + 3);
  switch (proto) {
    case 'unix':
      if (!rest) throw new Error(`Invalid bind address format: ${host}`);
      return { socketPath: rest };
    case 'tcp':
    case 'http': {
      const url = new URL(`http://${rest || 'localhost'}`);
      if (url.pathname !== '/' && url.pathname !== '') throw new Error(`Invalid bind address format: ${host}`);
      return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 2375 };
    }
    default:
      throw new Error(`Invalid bind address format: ${host}`);
  }
}
