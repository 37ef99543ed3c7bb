import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf that Docker bind-mounts. */
export interface EtcFiles {
  hostsPath: string;
  hostnamePath: string;
  resolvConfPath: string;
}

export function etcFilePaths(containerDir: string): EtcFiles {
  return {
    hostsPath: path.join(containerDir, 'hosts'),
    hostnamePath: path.join(containerDir, 'hostname'),
    resolvConfPath: path.join(containerDir, 'resolv.conf'),
  };
}

/**
 * Where in a container those files are bind-mounted. Where its image lacks them, the
 * runtime leaves an empty file in the container's own layer as the mount target: not
 * the container's work, as dockerd keeps its targets in an init layer below it.
 */
export const ETC_MOUNT_TARGETS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

/** Whether a container layer's entry at one of ETC_MOUNT_TARGETS is such a leftover target. */
export const isLeftMountTarget = (st: { isFile(): boolean; size: number | bigint }) => st.isFile() && Number(st.size) === 0;

const DEFAULT_HOSTS = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`;

export interface EtcFileOptions {
  hostname: string;
  domainname?: string;
  /** `names:address` entries: --add-host, then links and the container's own address. */
  extraHosts: string[];
  hostNetwork: boolean;
  /** On a user-defined network: berth's resolver at 127.0.0.11 answers, as Docker's does. */
  embeddedDns?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

export async function writeEtcFiles(files: EtcFiles, opts: EtcFileOptions): Promise<void> {
  await Promise.all([
    writeHostsFile(files.hostsPath, opts),
    fs.writeFile(files.hostnamePath, `${opts.hostname}\n`, { mode: 0o644 }),
    fs.writeFile(files.resolvConfPath, await resolvConf(opts), { mode: 0o644 }),
  ]);
}

export async function writeHostsFile(file: string, opts: Pick<EtcFileOptions, 'extraHosts' | 'hostNetwork'>): Promise<void> {
  const extra = opts.extraHosts.map((entry) => {
    const sep = entry.indexOf(':');
    return `${entry.slice(sep + 1)}\t${entry.slice(0, sep)}\n`;
  });
  const hosts = opts.hostNetwork ? await fs.readFile('/etc/hosts', 'utf8').catch(() => DEFAULT_HOSTS) : DEFAULT_HOSTS + extra.join('');
  await fs.writeFile(file, hosts, { mode: 0o644 });
}

/** The values of one keyword of a resolv.conf (`nameserver`, `search`, `options`), a line each. */
export function resolvConfEntries(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${key} `))
    .map((l) => l.slice(key.length + 1).trim());
}

/**
 * The host's resolv.conf, with loopback resolvers dropped for a container with its
 * own network namespace (they would point at the container itself); Google's public
 * resolvers when none are left, as Docker does.
 */
async function resolvConf(opts: EtcFileOptions): Promise<string> {
  const host = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  if (opts.hostNetwork && !opts.dns?.length && !opts.dnsSearch?.length && !opts.dnsOptions?.length) return host;
  const pick = (key: string) => resolvConfEntries(host, key);
  let servers = opts.dns?.length ? opts.dns : pick('nameserver');
  if (!opts.hostNetwork) servers = servers.filter((s) => !/^127\.|^::1$/.test(s));
  if (servers.length === 0) servers = ['8.8.8.8', '8.8.4.4'];
  // Behind the embedded resolver the servers above are its upstreams, not the container's.
  if (opts.embeddedDns) servers = ['127.0.0.11'];
  const search = opts.dnsSearch?.length ? opts.dnsSearch : pick('search').flatMap((s) => s.split(/\s+/));
  let options = opts.dnsOptions?.length ? opts.dnsOptions : pick('options').flatMap((s) => s.split(/\s+/));
  if (opts.embeddedDns && !options.some((o) => o.startsWith('ndots:'))) options = [...options, 'ndots:0'];
  return (
    servers.map((s) => `nameserver ${s}\n`).join('') +
    (search.length ? `search ${search.join(' ')}\n` : '') +
    (options.length ? `options ${options.join(' ')}\n` : '')
  );
}
