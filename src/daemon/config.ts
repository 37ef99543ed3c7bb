import { badParameter } from '../common/errors.js';
import { DEFAULT_ADDRESS_POOLS, parseAddressPool } from '../network/ipam.js';
import { requireIPv4, requireSubnet } from '../network/ipv4.js';
import type { NetworkConfig } from './services/networks.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile?: string;
  /** Unset: the fastest runtime that works on this host, probed at start. */
  runtime?: 'runc' | 'crun';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  network: NetworkConfig;
}

const USAGE = `Usage:	berthd [OPTIONS]

A container engine that serves the Docker Engine API

Options:
  -H, --host list          Daemon socket(s) to connect to (default unix:///run/berth/berth.sock)
      --data-root string   Root directory of persistent state (default "/var/lib/berth")
      --exec-root string   Root directory for execution state files (default "/run/berth")
  -p, --pidfile string     Path to use for daemon PID file
      --runtime string     OCI runtime: runc or crun (default: the fastest that works here)
  -l, --log-level string   Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
  -b, --bridge string      Linux bridge of the default network (default "berth0")
      --bip string         Gateway address and subnet of the default bridge (e.g. 172.17.0.1/16)
      --default-address-pool pool
                           Where networks get their subnets: base=CIDR,size=PREFIX (repeatable)
      --dns list           DNS servers for the containers (default: the host's)
`;

/** Parses berthd's flags, which follow dockerd's names and forms (`--flag value`, `--flag=value`). */
export function parseDaemonArgs(argv: string[]): DaemonConfig | 'help' {
  const config: DaemonConfig = {
    hosts: [],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    logLevel: 'info',
    network: { bridge: 'berth0', addressPools: [], dns: [] },
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw badParameter(`flag needs an argument: ${arg}`);
      return argv[++i];
    };
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '-H':
      case '--host':
        config.hosts.push(normalizeHost(next()));
        break;
      case '--data-root':
        config.dataRoot = next();
        break;
      case '--exec-root':
        config.execRoot = next();
        break;
      case '-p':
      case '--pidfile':
        config.pidfile = next();
        break;
      case '--runtime': {
        const runtime = next();
        if (runtime !== 'runc' && runtime !== 'crun') throw badParameter(`unknown runtime ${runtime}: use runc or crun`);
        config.runtime = runtime;
        break;
      }
      case '-l':
      case '--log-level': {
        const level = next();
        if (!['debug', 'info', 'warn', 'error'].includes(level)) throw badParameter(`unknown log level ${level}`);
        config.logLevel = level as DaemonConfig['logLevel'];
        break;
      }
      case '-b':
      case '--bridge': {
        const bridge = next();
        if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw badParameter(`invalid bridge name ${bridge}: at most 15 letters, digits, '-', '_' or '.'`);
        config.network.bridge = bridge;
        break;
      }
      case '--bip':
        config.network.bip = next();
        requireSubnet(config.network.bip);
        break;
      case '--default-address-pool':
        config.network.addressPools.push(parseAddressPool(next()));
        break;
      case '--dns': {
        const server = next();
        requireIPv4(server, 'IP address for --dns');
        config.network.dns.push(server);
        break;
      }
      default:
        throw badParameter(`unknown flag: ${arg}`);
    }
  }
  if (config.hosts.length === 0) config.hosts.push('unix:///run/berth/berth.sock');
  if (config.network.addressPools.length === 0) config.network.addressPools = DEFAULT_ADDRESS_POOLS;
  return config;
}

function normalizeHost(host: string): string {
  if (host.startsWith('/')) return `unix://${host}`;
  if (!/^(unix|tcp):\/\//.test(host)) throw badParameter(`invalid host ${host}: use unix:///path or tcp://host:port`);
  return host;
}

export const daemonUsage = USAGE;
