import { badParameter } from '../common/errors.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile?: string;
  /** Unset: the fastest runtime that works on this host, probed at start. */
  runtime?: 'runc' | 'crun';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
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
`;

/** Parses berthd's flags, which follow dockerd's names and forms (`--flag value`, `--flag=value`). */
export function parseDaemonArgs(argv: string[]): DaemonConfig | 'help' {
  const config: DaemonConfig = { hosts: [], dataRoot: '/var/lib/berth', execRoot: '/run/berth', logLevel: 'info' };
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
      default:
        throw badParameter(`unknown flag: ${arg}`);
    }
  }
  if (config.hosts.length === 0) config.hosts.push('unix:///run/berth/berth.sock');
  return config;
}

function normalizeHost(host: string): string {
  if (host.startsWith('/')) return `unix://${host}`;
  if (!/^(unix|tcp):\/\//.test(host)) throw badParameter(`invalid host ${host}: use unix:///path or tcp://host:port`);
  return host;
}

export const daemonUsage = USAGE;
