// nftables rules of berth: one table per bridge network (`ip berth-<bridge>`), so
// berth never touches a rule it did not make and removing a network is one
// `delete table`. Published ports are elements of maps in that table: publishing
// or releasing any number of ports is one `nft` run, and no process stays behind.
import { runCommand } from '../kernel/command.js';

export interface FirewalledNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** Outbound traffic NATed through the host (dockerd's --ip-masq). */
  masquerade: boolean;
}

export interface PublishedPort {
  proto: 'tcp' | 'udp';
  /** '' or 0.0.0.0: every address of the host. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** The bridges other berth networks use: the default one and the `br-*` of user networks. */
export interface BridgeNames {
  defaultBridge: string;
}

export function tableName(bridge: string): string {
  return `berth-${bridge}`;
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0';

function mapName(port: PublishedPort): string {
  return `${port.proto}_${anyAddress(port.hostIp) ? 'any' : 'addr'}`;
}

function mapKey(port: PublishedPort): string {
  return anyAddress(port.hostIp) ? String(port.hostPort) : `${port.hostIp} . ${port.hostPort}`;
}

function elementScript(verb: 'add' | 'delete', table: string, ports: PublishedPort[]): string[] {
  return ports.map((p) =>
    verb === 'add'
      ? `add element ip ${table} ${mapName(p)} { ${mapKey(p)} : ${p.containerIp} . ${p.containerPort} }`
      : `delete element ip ${table} ${mapName(p)} { ${mapKey(p)} }`,
  );
}

/** The whole table of a network, replacing what was there (start-up, live restore). */
export async function installNetworkRules(network: FirewalledNetwork, names: BridgeNames, ports: PublishedPort[]): Promise<void> {
  const table = tableName(network.bridge);
  const br = JSON.stringify(network.bridge);
  const isolation = [
    // Another berth network's bridge: only traffic to a published port crosses over.
    `iifname ${br} oifname != ${br} oifname "br-*" drop`,
    ...(names.defaultBridge && names.defaultBridge !== network.bridge ? [`iifname ${br} oifname ${JSON.stringify(names.defaultBridge)} drop`] : []),
  ];
  const script = [
    // Declaring then deleting makes the replacement work whether or not the table exists.
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    ...['tcp', 'udp'].flatMap((proto) => [
      `  map ${proto}_any { type inet_service : ipv4_addr . inet_service; }`,
      `  map ${proto}_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }`,
    ]),
    `  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump published; }`,
    `  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump published; }`,
    `  chain published {`,
    ...['tcp', 'udp'].flatMap((proto) => [`    dnat ip to ip daddr . ${proto} dport map @${proto}_addr`, `    dnat ip to ${proto} dport map @${proto}_any`]),
    `  }`,
    `  chain postrouting { type nat hook postrouting priority srcnat; policy accept;`,
    ...(network.masquerade && !network.internal ? [`    ip saddr ${network.subnet} oifname != ${br} masquerade`] : []),
    // The host's own connections to 127.0.0.1:<published>, and containers reaching a
    // published port of their own network through the host, come back through it.
    `    oifname ${br} ip saddr 127.0.0.0/8 masquerade`,
    `    oifname ${br} ct status dnat ip saddr ${network.subnet} masquerade`,
    `  }`,
    `  chain forward { type filter hook forward priority filter; policy accept;`,
    ...(network.internal ? [`    iifname ${br} oifname != ${br} drop`, `    oifname ${br} iifname != ${br} drop`] : []),
    `    ct status dnat accept`,
    ...isolation.map((rule) => `    ${rule}`),
    `  }`,
    `}`,
    ...elementScript('add', table, ports),
  ];
  await runCommand('nft', ['-f', '-'], script.join('\n') + '\n');
}

export async function removeNetworkRules(bridge: string): Promise<void> {
  const table = tableName(bridge);
  await runCommand('nft', ['-f', '-'], `table ip ${table} {}\ndelete table ip ${table}\n`);
}

export async function publishPorts(bridge: string, ports: PublishedPort[]): Promise<void> {
  if (ports.length) await runCommand('nft', ['-f', '-'], elementScript('add', tableName(bridge), ports).join('\n') + '\n');
}

export async function unpublishPorts(bridge: string, ports: PublishedPort[]): Promise<void> {
  if (ports.length) await runCommand('nft', ['-f', '-'], elementScript('delete', tableName(bridge), ports).join('\n') + '\n');
}
