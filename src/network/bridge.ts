// Linux bridges and veth pairs, set up with `ip`: one batch on the host side and one
// inside the container's namespace per endpoint, so a container's network costs two
// short-lived processes.
import { existsSync, promises as fs } from 'node:fs';
import { runCommand } from '../kernel/command.js';

/** Creates the bridge if missing, gives it the gateway address and brings it up. */
export async function ensureBridge(name: string, gatewayCidr: string): Promise<void> {
  const script = [
    ...(existsSync(`/sys/class/net/${name}`) ? [] : [`link add ${name} type bridge`]),
    `addr replace ${gatewayCidr} dev ${name}`,
    `link set ${name} up`,
  ];
  await runCommand('ip', ['-batch', '-'], script.join('\n') + '\n');
  // Host-to-container traffic to a published port on 127.0.0.1 is NATed out of the
  // bridge; the kernel drops it as martian unless the bridge allows loopback sources.
  await fs.writeFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
}

export async function deleteBridge(name: string): Promise<void> {
  if (!existsSync(`/sys/class/net/${name}`)) return;
  await runCommand('ip', ['link', 'del', name]);
}

export interface EndpointPlan {
  netnsPath: string;
  /** The host end, enslaved to the bridge. */
  hostInterface: string;
  bridge: string;
  /** The container end: eth0, eth1… */
  interfaceName: string;
  /** Address with prefix length, e.g. 172.17.0.2/16. */
  addressCidr: string;
  mac: string;
  /** Set for the container's first network: its default route. */
  gateway?: string;
}

/** A veth pair between the bridge and the container's namespace, addressed and up. */
export async function addEndpoint(plan: EndpointPlan): Promise<void> {
  await runCommand(
    'ip',
    ['-batch', '-'],
    [
      `link add ${plan.hostInterface} type veth peer name ${plan.interfaceName} address ${plan.mac} netns ${plan.netnsPath}`,
      `link set ${plan.hostInterface} master ${plan.bridge} up`,
      // A container reaching its own published port through the host: with
      // br_netfilter the DNATed frame goes back out the port it came in on.
      `link set dev ${plan.hostInterface} type bridge_slave hairpin on`,
    ].join('\n') + '\n',
  ).catch((err) => {
    void runCommand('ip', ['link', 'del', plan.hostInterface]).catch(() => undefined);
    throw err;
  });
  const inside = [`addr add ${plan.addressCidr} dev ${plan.interfaceName}`, `link set ${plan.interfaceName} up`];
  if (plan.gateway) inside.push(`route add default via ${plan.gateway} dev ${plan.interfaceName}`);
  await runCommand('nsenter', [`--net=${plan.netnsPath}`, 'ip', '-batch', '-'], inside.join('\n') + '\n');
}

/** Removes one endpoint of a running container (its namespace going removes the rest). */
export async function removeEndpoint(hostInterface: string): Promise<void> {
  if (existsSync(`/sys/class/net/${hostInterface}`)) await runCommand('ip', ['link', 'del', hostInterface]);
}
