// berth info: the client section and the server's /info, printed as docker prints them.
import { stringFlag, type Command, StatusError } from '../../command.js';
import { compileTemplate } from '../../util/output.js';
import { bytesSize } from '../../../common/units.js';
import { CLI_VERSION } from './version.js';

// /info has dozens of optional, nested fields; they are read defensively.
type Info = Record<string, any>;

/** An insecure-registry CIDR: "127.0.0.0/8", or {IP, Mask (base64)} from older daemons. */
function cidrText(cidr: string | { IP: string; Mask: string }): string {
  if (typeof cidr === 'string') return cidr;
  const bits = [...Buffer.from(cidr.Mask, 'base64')].reduce((n, byte) => n + byte.toString(2).replaceAll('0', '').length, 0);
  return `${cidr.IP}/${bits}`;
}

/** docker's prettyPrintServerInfo, for the fields a daemon of API 1.41 reports. */
export function serverInfoText(info: Info): string {
  const lines: string[] = [];
  const line = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
  const nonEmpty = (label: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') line(label, value);
  };
  line(' Containers:', info.Containers);
  line('  Running:', info.ContainersRunning);
  line('  Paused:', info.ContainersPaused);
  line('  Stopped:', info.ContainersStopped);
  line(' Images:', info.Images);
  nonEmpty(' Server Version:', info.ServerVersion);
  nonEmpty(' Storage Driver:', info.Driver);
  for (const [k, v] of info.DriverStatus ?? []) lines.push(`  ${k}: ${v}`);
  nonEmpty(' Logging Driver:', info.LoggingDriver);
  nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  nonEmpty(' Cgroup Version:', info.CgroupVersion);
  const plugins = info.Plugins ?? {};
  line(' Plugins:');
  line('  Volume:', (plugins.Volume ?? []).join(' '));
  line('  Network:', (plugins.Network ?? []).join(' '));
  if (plugins.Authorization?.length) line('  Authorization:', plugins.Authorization.join(' '));
  line('  Log:', (plugins.Log ?? []).join(' '));
  line(' Swarm:', info.Swarm?.LocalNodeState ?? '');
  const runtimes = Object.keys(info.Runtimes ?? {});
  if (runtimes.length) {
    line(' Runtimes:', runtimes.join(' '));
    line(' Default Runtime:', info.DefaultRuntime);
  }
  if (info.OSType === 'linux') {
    line(' Init Binary:', info.InitBinary);
    for (const [name, commit] of [
      ['containerd', info.ContainerdCommit],
      ['runc', info.RuncCommit],
      ['init', info.InitCommit],
    ]) {
      const expected = commit?.Expected !== undefined && commit?.ID !== commit?.Expected ? ` (expected: ${commit.Expected})` : '';
      lines.push(` ${name} version: ${commit?.ID ?? ''}${expected}`);
    }
    if (info.SecurityOptions?.length) {
      line(' Security Options:');
      for (const opt of info.SecurityOptions as string[]) {
        const kv = Object.fromEntries(opt.split(',').map((p) => p.split('=', 2) as [string, string]));
        lines.push(`  ${kv.name}`);
        if (kv.profile) line('   Profile:', kv.profile);
      }
    }
  }
  nonEmpty(' Kernel Version:', info.KernelVersion);
  nonEmpty(' Operating System:', info.OperatingSystem);
  nonEmpty(' OSType:', info.OSType);
  nonEmpty(' Architecture:', info.Architecture);
  line(' CPUs:', info.NCPU);
  line(' Total Memory:', bytesSize(info.MemTotal ?? 0));
  nonEmpty(' Name:', info.Name);
  nonEmpty(' ID:', info.ID);
  line(' Docker Root Dir:', info.DockerRootDir);
  line(' Debug Mode:', Boolean(info.Debug));
  if (info.Debug) {
    line('  File Descriptors:', info.NFd ?? 0);
    line('  Goroutines:', info.NGoroutines ?? 0);
    line('  System Time:', info.SystemTime ?? '');
    line('  EventsListeners:', info.NEventsListener ?? 0);
  }
  nonEmpty(' HTTP Proxy:', info.HttpProxy);
  nonEmpty(' HTTPS Proxy:', info.HttpsProxy);
  nonEmpty(' No Proxy:', info.NoProxy);
  if (info.Labels?.length) {
    line(' Labels:');
    for (const l of info.Labels) lines.push(`  ${l}`);
  }
  line(' Experimental:', Boolean(info.ExperimentalBuild));
  const registry = info.RegistryConfig;
  const indexConfigs = Object.values(registry?.IndexConfigs ?? {}) as { Name: string; Secure: boolean }[];
  if (registry && (registry.InsecureRegistryCIDRs?.length || indexConfigs.length)) {
    line(' Insecure Registries:');
    for (const reg of indexConfigs) if (!reg.Secure) lines.push(`  ${reg.Name}`);
    for (const cidr of registry.InsecureRegistryCIDRs ?? []) lines.push(`  ${cidrText(cidr)}`);
  }
  if (registry?.Mirrors?.length) {
    line(' Registry Mirrors:');
    for (const m of registry.Mirrors) lines.push(`  ${m}`);
  }
  line(' Live Restore Enabled:', Boolean(info.LiveRestoreEnabled));
  if (info.ProductLicense) line(' Product License:', info.ProductLicense);
  if (info.DefaultAddressPools?.length) {
    line(' Default Address Pools:');
    for (const pool of info.DefaultAddressPools) lines.push(`   Base: ${pool.Base}, Size: ${pool.Size}`);
  }
  return `${lines.join('\n')}\n\n`;
}

export const infoCommand: Command = {
  name: 'info',
  use: '[OPTIONS]',
  short: 'Display system-wide information',
  flags: [stringFlag('format', 'f', 'Format output using a custom template')],
  args: { max: 0 },
  async run(cli, flags) {
    const clientInfo = { Debug: false, Version: CLI_VERSION, Context: 'default', Plugins: [], Warnings: null };
    const format = flags.string('format');
    if (format) {
      const render = compileTemplate(format, (msg) => new StatusError(64, `template parsing error: ${msg}`), 'system.dockerInfo');
      const result = render({ ...(await cli.client().info()), ClientInfo: clientInfo });
      cli.out.write(`${result.output}\n`);
      if (result.error) throw new Error(result.error);
      return;
    }
    cli.out.write(`Client:\n Version:    ${CLI_VERSION}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
    let info: Info;
    try {
      info = await cli.client().info();
    } catch (err) {
      cli.out.write(`ERROR: ${(err as Error).message}\n`);
      throw new StatusError(1, `errors pretty printing info`);
    }
    cli.out.write(serverInfoText(info));
    for (const warning of info.Warnings ?? []) cli.err.write(`${warning}\n`);
  },
};
