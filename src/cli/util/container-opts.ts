// The flags `run` and `create` share, and the POST /containers/create body they make
// (docker's ContainerOptions and parse()).
import { readFileSync } from 'node:fs';
import type { ContainerCreateRequest, HostConfig } from '../../api/types.js';
import { boolFlag, intFlag, listFlag, stringFlag } from '../command.js';
import type { FlagSpec, Flags } from '../flags.js';
import { ramInBytes } from '../../common/units.js';
import { parseLink } from '../../network/links.js';
import { absoluteBind, parseMountOpt, volumeSource } from './mount-opts.js';
import { isValidMac, parseNetworkOpt, parseNetworkOpts } from './network-opts.js';
import { parsePorts } from './ports.js';

const sizeFlag = (long: string, short: string | undefined, usage: string): FlagSpec => ({
  long,
  short,
  kind: 'string',
  usage,
  typeName: 'bytes',
  validate: (v) => void ramInBytes(v),
});

function networkFlag(long: string): FlagSpec {
  return { ...listFlag(long, undefined, 'Connect a container to a network', 'network'), validate: (v) => void parseNetworkOpt(v) };
}

export const containerFlags: FlagSpec[] = [
  listFlag('add-host', undefined, 'Add a custom host-to-IP mapping (host:ip)'),
  listFlag('attach', 'a', 'Attach to STDIN, STDOUT or STDERR'),
  listFlag('cap-add', undefined, 'Add Linux capabilities'),
  listFlag('cap-drop', undefined, 'Drop Linux capabilities'),
  listFlag('dns', undefined, 'Set custom DNS servers'),
  listFlag('dns-option', undefined, 'Set DNS options'),
  listFlag('dns-search', undefined, 'Set custom DNS search domains'),
  stringFlag('entrypoint', undefined, 'Overwrite the default ENTRYPOINT of the image'),
  listFlag('env', 'e', 'Set environment variables'),
  listFlag('env-file', undefined, 'Read in a file of environment variables'),
  listFlag('expose', undefined, 'Expose a port or a range of ports'),
  stringFlag('hostname', 'h', 'Container host name'),
  boolFlag('init', undefined, 'Run an init inside the container that forwards signals and reaps processes'),
  boolFlag('interactive', 'i', 'Keep STDIN open even if not attached'),
  stringFlag('ip', undefined, 'IPv4 address (e.g., 172.30.100.104)'),
  stringFlag('ip6', undefined, 'IPv6 address (e.g., 2001:db8::33)'),
  listFlag('label', 'l', 'Set meta data on a container'),
  listFlag('label-file', undefined, 'Read in a line delimited file of labels'),
  { ...listFlag('link', undefined, 'Add link to another container'), validate: (v) => void parseLink(v) },
  listFlag('link-local-ip', undefined, 'Container IPv4/IPv6 link-local addresses'),
  stringFlag('log-driver', undefined, 'Logging driver for the container'),
  listFlag('log-opt', undefined, 'Log driver options'),
  stringFlag('mac-address', undefined, 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
  sizeFlag('memory', 'm', 'Memory limit'),
  { ...listFlag('mount', undefined, 'Attach a filesystem mount to the container', 'mount'), validate: (v) => void parseMountOpt(v) },
  stringFlag('name', undefined, 'Assign a name to the container'),
  // --net and --net-alias: hidden older names of --network and --network-alias (one list each)
  { ...networkFlag('net'), hidden: true, store: 'network' },
  { ...listFlag('net-alias', undefined, 'Add network-scoped alias for the container'), hidden: true, store: 'network-alias' },
  networkFlag('network'),
  listFlag('network-alias', undefined, 'Add network-scoped alias for the container'),
  stringFlag('platform', undefined, 'Set platform if server is multi-platform capable'),
  boolFlag('privileged', undefined, 'Give extended privileges to this container'),
  listFlag('publish', 'p', "Publish a container's port(s) to the host"),
  boolFlag('publish-all', 'P', 'Publish all exposed ports to random ports'),
  stringFlag('pull', undefined, 'Pull image before running ("always", "missing", "never")', 'missing'),
  boolFlag('quiet', 'q', 'Suppress the pull output'),
  boolFlag('read-only', undefined, "Mount the container's root filesystem as read only"),
  stringFlag('restart', undefined, 'Restart policy to apply when a container exits', 'no'),
  boolFlag('rm', undefined, 'Automatically remove the container and its associated anonymous volumes when it exits'),
  listFlag('security-opt', undefined, 'Security Options'),
  sizeFlag('shm-size', undefined, 'Size of /dev/shm'),
  stringFlag('stop-signal', undefined, 'Signal to stop the container'),
  intFlag('stop-timeout', undefined, 'Timeout (in seconds) to stop a container'),
  listFlag('tmpfs', undefined, 'Mount a tmpfs directory'),
  boolFlag('tty', 't', 'Allocate a pseudo-TTY'),
  stringFlag('user', 'u', 'Username or UID (format: <name|uid>[:<group|gid>])'),
  listFlag('volume', 'v', 'Bind mount a volume'),
  stringFlag('volume-driver', undefined, 'Optional volume driver for the container'),
  listFlag('volumes-from', undefined, 'Mount volumes from the specified container(s)'),
  stringFlag('workdir', 'w', 'Working directory inside the container'),
];

/**
 * opts.ReadKVStrings / parseKeyValueFile: KEY=VALUE lines; a bare KEY takes its value from
 * `lookup`, and is dropped when `lookup` has none (docker 28).
 */
function readKeyValueFile(file: string, lookup?: (key: string) => string | undefined): string[] {
  const lines: string[] = [];
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const variable = (eq < 0 ? line : line.slice(0, eq)).replace(/^[ \t]+/, '');
    if (/[ \t]/.test(variable)) throw new Error(`poorly formatted environment: variable '${variable}' contains whitespaces`);
    if (!variable) throw new Error(`poorly formatted environment: no variable name on line '${line}'`);
    if (eq >= 0) lines.push(`${variable}=${line.slice(eq + 1)}`);
    else if (!lookup) lines.push(line.trim());
    else {
      const value = lookup(line.trim());
      if (value !== undefined) lines.push(`${line.trim()}=${value}`);
    }
  }
  return lines;
}

function fileError(err: unknown, file: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`open ${file}: no such file or directory`);
  return err as Error;
}

/** Environment: env files first, then -e; a bare NAME takes the CLI's own value when it has one. */
export function envList(flags: Flags): string[] {
  const env: string[] = [];
  for (const file of flags.list('env-file')) {
    try {
      env.push(...readKeyValueFile(file, (k) => process.env[k]));
    } catch (err) {
      throw fileError(err, file);
    }
  }
  for (const e of flags.list('env')) {
    if (e.startsWith('=')) throw new Error(`invalid environment variable: ${e}`);
    if (!e.includes('=') && process.env[e] !== undefined) env.push(`${e}=${process.env[e]}`);
    else env.push(e);
  }
  return env;
}

function labelMap(flags: Flags): Record<string, string> {
  const labels: string[] = [];
  for (const file of flags.list('label-file')) {
    try {
      labels.push(...readKeyValueFile(file));
    } catch (err) {
      throw fileError(err, file);
    }
  }
  labels.push(...flags.list('label'));
  return labelsMap(labels);
}

/** `KEY=VALUE` labels as a map; a bare `KEY` has an empty value, as in docker. */
export function labelsMap(labels: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) {
    const eq = l.indexOf('=');
    if (eq < 0) out[l] = '';
    else out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

/** `no`, `always`, `unless-stopped`, `on-failure[:max-retries]` (the daemon validates the name). */
export function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (!policy) return { Name: 'no', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  if (colon < 0) return { Name: policy, MaximumRetryCount: 0 };
  const count = policy.slice(colon + 1);
  if (!/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
  return { Name: policy.slice(0, colon), MaximumRetryCount: Number(count) };
}

function normalizeCapabilities(caps: string[]): string[] | null {
  if (!caps.length) return null;
  return caps.map((c) => {
    const upper = c.toUpperCase();
    return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  });
}

export interface CreateInput {
  request: ContainerCreateRequest;
  name: string;
}

/** Builds the create request from the flags, the image and the command; throws on invalid input. */
export function buildCreateRequest(flags: Flags, image: string, command: string[], consoleSize?: [number, number]): CreateInput {
  const attach = flags.list('attach').map((a) => a.toLowerCase());
  for (const a of attach) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new Error(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  const interactive = flags.bool('interactive');
  const attachStdin = attach.length ? attach.includes('stdin') : interactive;
  const attachStdout = attach.length ? attach.includes('stdout') : true;
  const attachStderr = attach.length ? attach.includes('stderr') : true;

  const restart = parseRestartPolicy(flags.string('restart'));
  if (flags.bool('rm') && restart.Name !== 'no') throw new Error('conflicting options: cannot specify both --restart and --rm');
  const logOpts: Record<string, string> = {};
  for (const o of flags.list('log-opt')) {
    const eq = o.indexOf('=');
    logOpts[eq < 0 ? o : o.slice(0, eq)] = eq < 0 ? '' : o.slice(eq + 1);
  }
  if (flags.string('log-driver') === 'none' && flags.list('log-opt').length) throw new Error('invalid logging opts for driver none');

  const volumes: Record<string, object> = {};
  const binds: string[] = [];
  for (const v of flags.list('volume')) {
    if (volumeSource(v)) binds.push(absoluteBind(v));
    else volumes[v] = {};
  }
  const tmpfs: Record<string, string> = {};
  for (const t of flags.list('tmpfs')) {
    const colon = t.indexOf(':');
    tmpfs[colon < 0 ? t : t.slice(0, colon)] = colon < 0 ? '' : t.slice(colon + 1);
  }
  const mac = flags.string('mac-address');
  if (mac && !isValidMac(mac.trim())) throw new Error(`${mac} is not a valid mac address`);
  const { exposed, bindings } = parsePorts(flags.list('publish'), flags.list('expose'));
  const networks = flags.list('network').map(parseNetworkOpt);
  const links = flags.list('link');

  let entrypoint: string[] | null = null;
  if (flags.string('entrypoint')) entrypoint = [flags.string('entrypoint')];
  else if (flags.changed('entrypoint')) entrypoint = [''];

  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : null,
    LogConfig: { Type: flags.string('log-driver'), Config: logOpts },
    NetworkMode: networks.length ? networks[0].target : 'default',
    PortBindings: bindings,
    PublishAllPorts: flags.bool('publish-all'),
    Links: links.length ? links : null,
    RestartPolicy: restart,
    AutoRemove: flags.bool('rm'),
    VolumeDriver: flags.string('volume-driver'),
    VolumesFrom: flags.list('volumes-from').length ? flags.list('volumes-from') : null,
    ConsoleSize: consoleSize ?? [0, 0],
    CapAdd: normalizeCapabilities(flags.list('cap-add')),
    CapDrop: normalizeCapabilities(flags.list('cap-drop')),
    Dns: flags.list('dns'),
    DnsOptions: flags.list('dns-option'),
    DnsSearch: flags.list('dns-search'),
    ExtraHosts: flags.list('add-host').length ? flags.list('add-host').map((h) => h.replace('=', ':')) : null,
    Privileged: flags.bool('privileged'),
    ReadonlyRootfs: flags.bool('read-only'),
    SecurityOpt: flags.list('security-opt').length ? flags.list('security-opt') : null,
    ShmSize: flags.changed('shm-size') ? ramInBytes(flags.string('shm-size')) : 0,
    Memory: flags.changed('memory') ? ramInBytes(flags.string('memory')) : 0,
    MemorySwappiness: -1,
    // docker sends these resource lists empty rather than null
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    Devices: [],
    Ulimits: [],
  };
  if (Object.keys(tmpfs).length) hostConfig.Tmpfs = tmpfs;
  if (flags.list('mount').length) hostConfig.Mounts = flags.list('mount').map(parseMountOpt);
  if (flags.changed('init')) hostConfig.Init = flags.bool('init');

  const env = envList(flags);
  const labels = labelMap(flags);
  // the network options are checked last, as in docker
  const endpoints = parseNetworkOpts(networks, {
    aliases: flags.list('network-alias'),
    links,
    ipv4: flags.string('ip'),
    ipv6: flags.string('ip6'),
    linkLocalIPs: flags.list('link-local-ip'),
  });

  const request: ContainerCreateRequest = {
    Hostname: flags.string('hostname'),
    Domainname: '',
    User: flags.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: flags.bool('tty'),
    OpenStdin: interactive,
    StdinOnce: interactive && attachStdin,
    Env: env,
    Cmd: command.length ? command : null,
    Image: image,
    Volumes: volumes,
    WorkingDir: flags.string('workdir'),
    Entrypoint: entrypoint,
    Labels: labels,
    StopSignal: flags.string('stop-signal') || undefined,
    StopTimeout: flags.changed('stop-timeout') ? flags.int('stop-timeout') : undefined,
    MacAddress: mac || undefined,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  return { request, name: flags.string('name') };
}
