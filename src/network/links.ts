// Legacy links (`--link name:alias`) on the default bridge: the environment dockerd
// gives the linking container (daemon/links/links.go) and the link format it stores.
import { badParameter } from '../common/errors.js';

export interface Link {
  /** The linked container's name, without the slash. */
  name: string;
  alias: string;
}

/** docker's opts.ParseLink: `name`, `name:alias`, or the stored `/name:/parent/alias`. */
export function parseLink(spec: string): Link {
  if (spec === '') throw badParameter('empty string specified for links');
  const parts = spec.split(':');
  if (parts.length > 2) throw badParameter(`bad format for links: ${spec}`);
  const name = parts[0].replace(/^\//, '');
  const alias = parts.length === 1 ? name : parts[1].slice(parts[1].lastIndexOf('/') + 1);
  if (!name || !alias) throw badParameter(`bad format for links: ${spec}`);
  return { name, alias };
}

/** As dockerd stores HostConfig.Links: `/db:/web/redis`. */
export function storedLink(link: Link, parentName: string): string {
  return `/${link.name}:/${parentName.replace(/^\//, '')}/${link.alias}`;
}

interface Port {
  number: number;
  proto: string;
}

function sortPorts(exposed: string[]): Port[] {
  return exposed
    .map((p) => {
      const [number, proto = 'tcp'] = p.split('/');
      return { number: Number(number), proto: proto.toLowerCase() };
    })
    .filter((p) => Number.isInteger(p.number))
    .sort((a, b) => a.number - b.number || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : 0));
}

/** The last index of the run of consecutive port numbers starting at `index`. */
function endOfRun(ports: Port[], index: number): number {
  let value = ports[index].number;
  for (let i = index + 1; i < ports.length; i++) {
    if (ports[i].number > value + 1) return i - 1;
    value++;
  }
  return ports.length - 1;
}

/** ALIAS_PORT, ALIAS_PORT_<n>_<PROTO>…, ALIAS_NAME and ALIAS_ENV_* in dockerd's order. */
export function linkEnvironment(opts: { alias: string; parentName: string; childIp: string; exposedPorts: string[]; childEnv: string[] }): string[] {
  const alias = opts.alias.toUpperCase().replaceAll('-', '_');
  const ip = opts.childIp;
  const ports = sortPorts(opts.exposedPorts);
  const env: string[] = [];
  if (ports.length) env.push(`${alias}_PORT=${ports[0].proto}://${ip}:${ports[0].number}`);
  for (let i = 0; i < ports.length; ) {
    const j = endOfRun(ports, i);
    if (j <= i + 1) {
      i++;
      continue;
    }
    const [p, q] = [ports[i], ports[j]];
    const prefix = `${alias}_PORT_${p.number}_${p.proto.toUpperCase()}`;
    env.push(
      `${prefix}_START=${p.proto}://${ip}:${p.number}`,
      `${prefix}_ADDR=${ip}`,
      `${prefix}_PROTO=${p.proto}`,
      `${prefix}_PORT_START=${p.number}`,
      `${alias}_PORT_${p.number}_${q.proto.toUpperCase()}_END=${q.proto}://${ip}:${q.number}`,
      `${alias}_PORT_${p.number}_${q.proto.toUpperCase()}_PORT_END=${q.number}`,
    );
    i = j + 1;
  }
  for (const p of ports) {
    const prefix = `${alias}_PORT_${p.number}_${p.proto.toUpperCase()}`;
    env.push(`${prefix}=${p.proto}://${ip}:${p.number}`, `${prefix}_ADDR=${ip}`, `${prefix}_PORT=${p.number}`, `${prefix}_PROTO=${p.proto}`);
  }
  env.push(`${alias}_NAME=/${opts.parentName.replace(/^\//, '')}/${opts.alias}`);
  for (const entry of opts.childEnv) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const key = entry.slice(0, eq);
    // dockerd leaves out what every build sets
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${alias}_ENV_${key}=${entry.slice(eq + 1)}`);
  }
  return env;
}
