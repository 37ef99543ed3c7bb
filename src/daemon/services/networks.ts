import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type {
  ContainerCreateRequest,
  EndpointConfig,
  EndpointSettings,
  HostConfig,
  NetworkContainer,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkResource,
  PortMap,
} from '../../api/types.js';
import { ApiError, badParameter, conflict, errorMessage, forbidden, notFound } from '../../common/errors.js';
import { newId, shortId } from '../../common/ids.js';
import { log } from '../../common/log.js';
import { native } from '../../kernel/native.js';
import { addEndpoint, deleteBridge, ensureBridge, removeEndpoint } from '../../network/bridge.js';
import { EmbeddedDns } from '../../network/dns-server.js';
import { installNetworkRules, publishPorts, removeNetworkRules, unpublishPorts, type PublishedPort } from '../../network/firewall.js';
import { HostPorts, type PortProtocol } from '../../network/host-ports.js';
import { AddressSpace, hostRoutes, pickSubnet, type AddressPool } from '../../network/ipam.js';
import { formatIPv4, formatSubnet, macForAddress, parseIPv4, requireIPv4, requireSubnet, subnetContains, subnetsOverlap, type Subnet } from '../../network/ipv4.js';
import { linkEnvironment, parseLink, storedLink } from '../../network/links.js';
import { resolvConfEntries } from '../../runtime/etc-files.js';
import type { ContainerRecord, ContainerStore } from '../../store/container-store.js';
import { matchLabels, parseUntil } from '../../store/image-filters.js';
import { NetworkStore, type NetworkRecord } from '../../store/network-store.js';
import type { EventService } from './events.js';

export interface NetworkConfig {
  /** The default bridge's Linux device (dockerd's --bridge). */
  bridge: string;
  /** The default bridge's gateway address and prefix (dockerd's --bip). */
  bip?: string;
  /** Where networks without a subnet get one (dockerd's --default-address-pool). */
  addressPools: AddressPool[];
  /** Resolvers for the containers (dockerd's --dns); the host's when empty. */
  dns: string[];
}

/** How a starting container joins its network, and what its /etc files and environment get. */
export interface ContainerNetworking {
  namespace: 'host' | 'none' | { path: string; shared?: boolean };
  /** /etc/hosts lines after the defaults and --add-host: links, then the container's own address. */
  hostsEntries: string[];
  /** On a user-defined network: resolv.conf points at berth's resolver (127.0.0.11). */
  embeddedDns: boolean;
  /** The environment of legacy links. */
  linkEnv: string[];
  /** --network container:<id>: the container whose /etc files this one shares. */
  shareEtcFrom?: string;
}

const DEFAULT_BRIDGE_NETWORK = 'bridge';
const PREDEFINED = ['bridge', 'host', 'none'];

function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '',
    DriverOpts: null,
  };
}

/** The mode a container's HostConfig names, with dockerd's `default` meaning the bridge. */
function networkModeName(hostConfig: HostConfig): string {
  const mode = hostConfig.NetworkMode || 'default';
  return mode === 'default' ? DEFAULT_BRIDGE_NETWORK : mode;
}

/**
 * Networks (the API's /networks), and the network side of a container's life: its
 * namespace, veths and addresses, published ports, links and the embedded DNS.
 * Everything is rebuilt from the records when berthd starts, so running containers
 * keep their network across a daemon restart.
 */
export class NetworkService {
  readonly store: NetworkStore;
  private readonly spaces = new Map<string, AddressSpace>();
  private readonly hostPorts = new HostPorts();
  private readonly dns: EmbeddedDns;
  private readonly netnsDir: string;
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      dataRoot: string;
      execRoot: string;
      config: NetworkConfig;
      containers: ContainerStore;
      events: EventService;
    },
  ) {
    this.store = new NetworkStore(path.join(deps.dataRoot, 'network', 'networks'));
    this.netnsDir = path.join(deps.execRoot, 'netns');
    this.dns = new EmbeddedDns({
      lookup: (containerId, name) => this.resolveName(containerId, name),
      lookupAddress: (containerId, address) => this.resolveAddress(containerId, address),
      upstreams: (containerId) => this.upstreamResolvers(containerId),
    });
  }

  // ---- start-up -------------------------------------------------------------------

  /** Loads the networks, makes the predefined ones, and rebuilds bridges, rules and leases for running containers. */
  async init(): Promise<void> {
    await fs.mkdir(this.netnsDir, { recursive: true });
    await this.store.load();
    await this.ensurePredefined();
    const running = this.deps.containers.all().filter((c) => c.state.Running && c.networks);
    const published = new Map<string, PublishedPort[]>();
    for (const record of running) {
      for (const endpoint of Object.values(record.networks ?? {})) {
        const address = parseIPv4(endpoint.IPAddress);
        if (address !== undefined) this.space(endpoint.NetworkID)?.reserve(address);
      }
      const primary = this.primaryNetwork(record);
      if (primary) {
        const ports = this.publishedPorts(record);
        for (const p of ports) await this.hostPorts.reserve(p.proto, p.hostIp, p.hostPort).catch((err) => log.warn('could not hold a published port', { id: record.id, err: errorMessage(err) }));
        published.set(primary.Id, [...(published.get(primary.Id) ?? []), ...ports]);
      }
      if (record.netnsPath && this.usesEmbeddedDns(record)) this.attachDns(record);
    }
    for (const network of this.store.all()) {
      if (network.Driver === 'bridge') await this.setUpBridge(network, published.get(network.Id) ?? []);
    }
  }

  private async ensurePredefined(): Promise<void> {
    const { config } = this.deps;
    let bridge = this.store.find(DEFAULT_BRIDGE_NETWORK);
    const bip = config.bip ? requireSubnet(config.bip) : undefined;
    const gatewayFromBip = config.bip ? requireIPv4(config.bip.split('/')[0], 'bip') : undefined;
    const wanted = (subnet: Subnet, gateway: number) => ({ Subnet: formatSubnet(subnet), Gateway: formatIPv4(gateway) });
    if (!bridge || bridge.bridge !== config.bridge || (bip && bridge.IPAM.Config?.[0]?.Subnet !== formatSubnet(bip))) {
      const inUse = [...hostRoutes(), ...this.networkSubnets()].filter((s) => !bridge || formatSubnet(s) !== bridge.IPAM.Config?.[0]?.Subnet);
      const subnet = bip ?? pickSubnet(config.addressPools, inUse);
      if (bridge) await this.tearDownBridge(bridge).catch(() => undefined);
      bridge = this.newRecord({ Name: DEFAULT_BRIDGE_NETWORK }, config.bridge, [wanted(subnet, gatewayFromBip ?? subnet.base + 1)], bridge?.Id);
      bridge.Options = {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': config.bridge,
        'com.docker.network.driver.mtu': '1500',
      };
      await this.store.save(bridge);
    }
    for (const [name, driver] of [
      ['host', 'host'],
      ['none', 'null'],
    ]) {
      if (!this.store.find(name)) {
        await this.store.save(this.newRecord({ Name: name, Driver: driver }, '', []));
      }
    }
  }

  private newRecord(req: NetworkCreateRequest, bridge: string, ipamConfig: { Subnet: string; Gateway: string; IPRange?: string }[], id = newId()): NetworkRecord {
    return {
      Name: req.Name,
      Id: id,
      Created: new Date().toISOString(),
      Scope: 'local',
      Driver: req.Driver || 'bridge',
      EnableIPv6: false,
      IPAM: { Driver: req.IPAM?.Driver || 'default', Options: req.IPAM?.Options ?? null, Config: ipamConfig },
      Internal: !!req.Internal,
      Attachable: !!req.Attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: req.Options ?? {},
      Labels: req.Labels ?? {},
      bridge,
    };
  }

  /** The subnets of every network, the default bridge's included. */
  private networkSubnets(): Subnet[] {
    return this.store
      .all()
      .flatMap((n) => n.IPAM.Config ?? [])
      .map((c) => requireSubnet(c.Subnet ?? ''));
  }

  /** The bridge, its address and the network's rules, as the record says. */
  private async setUpBridge(network: NetworkRecord, ports: PublishedPort[]): Promise<void> {
    const { subnet, gateway } = this.addressing(network);
    await ensureBridge(network.bridge, `${formatIPv4(gateway)}/${subnet.prefix}`);
    await installNetworkRules(
      { bridge: network.bridge, subnet: formatSubnet(subnet), internal: network.Internal, masquerade: network.Options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false' },
      { defaultBridge: this.deps.config.bridge },
      ports,
    );
  }

  private async tearDownBridge(network: NetworkRecord): Promise<void> {
    await removeNetworkRules(network.bridge);
    await deleteBridge(network.bridge);
  }

  private addressing(network: NetworkRecord): { subnet: Subnet; gateway: number; ipRange?: Subnet } {
    const config = network.IPAM.Config?.[0];
    if (!config?.Subnet) throw new ApiError(500, `network ${network.Name} has no IPv4 subnet`);
    const subnet = requireSubnet(config.Subnet);
    return {
      subnet,
      gateway: config.Gateway ? requireIPv4(config.Gateway) : subnet.base + 1,
      ipRange: config.IPRange ? requireSubnet(config.IPRange) : undefined,
    };
  }

  private space(networkId: string): AddressSpace | undefined {
    let space = this.spaces.get(networkId);
    if (space) return space;
    const network = this.store.find(networkId);
    if (!network || network.Driver !== 'bridge') return undefined;
    const { subnet, gateway, ipRange } = this.addressing(network);
    space = new AddressSpace(subnet, gateway, ipRange);
    this.spaces.set(networkId, space);
    return space;
  }

  // ---- the /networks API ---------------------------------------------------------------

  /** One at a time: two requests must not both take a name or a subnet. */
  create(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    const created = this.creating.then(() => this.createNow(req));
    this.creating = created.catch(() => undefined);
    return created;
  }

  private async createNow(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    if (!req || typeof req !== 'object' || !req.Name) throw badParameter('network name cannot be empty');
    if (this.store.all().some((n) => n.Name === req.Name)) throw conflict(`network with name ${req.Name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (req.EnableIPv6) throw badParameter('berth does not support IPv6 networks yet');
    const configs = (req.IPAM?.Config ?? []).filter((c) => !c.Subnet?.includes(':'));
    if (configs.length > 1) throw badParameter('berth supports one IPv4 subnet per network');
    const requested = configs[0] ?? {};
    const inUse = this.networkSubnets();
    let subnet: Subnet;
    if (requested.Subnet) {
      subnet = requireSubnet(requested.Subnet);
      if (inUse.some((s) => subnetsOverlap(s, subnet))) throw forbidden('Pool overlaps with other one on this address space');
    } else {
      if (requested.IPRange || requested.Gateway) throw badParameter('ip-range and gateway need a subnet');
      subnet = pickSubnet(this.deps.config.addressPools, [...hostRoutes(), ...inUse]);
    }
    const gateway = requested.Gateway ? requireIPv4(requested.Gateway, 'gateway') : subnet.base + 1;
    if (!subnetContains(subnet, gateway)) throw forbidden(`no matching subnet for gateway ${requested.Gateway}`);
    if (requested.IPRange) {
      const range = requireSubnet(requested.IPRange);
      if (!subnetContains(subnet, range.base) || range.prefix < subnet.prefix) throw forbidden(`no matching subnet for range ${requested.IPRange}`);
    }
    const id = newId();
    const bridge = req.Options?.['com.docker.network.bridge.name'] || `br-${shortId(id)}`;
    if (this.store.all().some((n) => n.bridge === bridge)) throw conflict(`bridge name ${bridge} is already in use`);
    const record = this.newRecord(req, bridge, [{ Subnet: formatSubnet(subnet), Gateway: formatIPv4(gateway), ...(requested.IPRange ? { IPRange: requested.IPRange } : {}) }], id);
    try {
      await this.setUpBridge(record, []);
    } catch (err) {
      await this.tearDownBridge(record).catch(() => undefined);
      throw new ApiError(500, `failed to create network ${req.Name}: ${errorMessage(err)}`);
    }
    await this.store.save(record);
    this.deps.events.emit('network', 'create', id, { name: req.Name, type: record.Driver });
    return { Id: id, Warning: '' };
  }

  /** The API's view; `Containers` lists the running containers' endpoints. */
  view(network: NetworkRecord, withContainers = true): NetworkResource {
    const { bridge: _device, ...resource } = network;
    const containers: Record<string, NetworkContainer> = {};
    if (withContainers) {
      for (const record of this.deps.containers.all()) {
        const endpoint = Object.values(record.networks ?? {}).find((e) => e.NetworkID === network.Id && e.IPAddress);
        if (!endpoint) continue;
        containers[record.id] = {
          Name: record.name.slice(1),
          EndpointID: endpoint.EndpointID,
          MacAddress: endpoint.MacAddress,
          IPv4Address: `${endpoint.IPAddress}/${endpoint.IPPrefixLen}`,
          IPv6Address: '',
        };
      }
    }
    return { ...resource, Containers: containers };
  }

  list(filters: Map<string, string[]>): NetworkResource[] {
    const known = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
    for (const key of filters.keys()) if (!known.includes(key)) throw badParameter(`invalid filter '${key}'`);
    const matches = (key: string, test: (value: string) => boolean) => !filters.has(key) || filters.get(key)!.some(test);
    return this.store
      .all()
      .filter(
        (n) =>
          matches('driver', (v) => n.Driver === v) &&
          matches('id', (v) => n.Id.startsWith(v)) &&
          matches('name', (v) => n.Name.includes(v)) &&
          matches('scope', (v) => v === 'local') &&
          matches('type', (v) => (v === 'builtin') === PREDEFINED.includes(n.Name)) &&
          matches('dangling', (v) => (v === 'true' || v === '1') === !this.inUse(n)) &&
          matchLabels(n.Labels, filters.get('label') ?? []),
      )
      .sort((a, b) => a.Created.localeCompare(b.Created))
      .map((n) => this.view(n, false));
  }

  inspect(ref: string): NetworkResource {
    return this.view(this.store.get(ref));
  }

  /** Containers (running or not) configured with the network. */
  private members(network: NetworkRecord): ContainerRecord[] {
    return this.deps.containers.all().filter((c) => Object.values(c.networks ?? {}).some((e) => e.NetworkID === network.Id));
  }

  private inUse(network: NetworkRecord): boolean {
    return PREDEFINED.includes(network.Name) || this.members(network).some((c) => c.state.Running);
  }

  async remove(ref: string): Promise<void> {
    const network = this.store.get(ref);
    if (PREDEFINED.includes(network.Name)) throw forbidden(`${network.Name} is a pre-defined network and cannot be removed`);
    if (this.members(network).some((c) => c.state.Running)) {
      throw forbidden(`error while removing network: network ${network.Name} id ${network.Id} has active endpoints`);
    }
    await this.tearDownBridge(network);
    this.spaces.delete(network.Id);
    await this.store.remove(network);
    this.deps.events.emit('network', 'destroy', network.Id, { name: network.Name, type: network.Driver });
  }

  async prune(filters: Map<string, string[]>): Promise<string[]> {
    const until = filters.get('until')?.map(parseUntil);
    const deleted: string[] = [];
    for (const network of this.store.all()) {
      if (PREDEFINED.includes(network.Name) || this.members(network).length) continue;
      if (!matchLabels(network.Labels, filters.get('label') ?? [])) continue;
      if (until?.some((t) => Date.parse(network.Created) / 1000 >= t)) continue;
      await this.remove(network.Id);
      deleted.push(network.Name);
    }
    return deleted;
  }

  async connect(ref: string, container: ContainerRecord, config: EndpointConfig): Promise<void> {
    const network = this.store.get(ref);
    const mode = networkModeName(container.hostConfig);
    if (mode === 'host' || network.Driver === 'host') throw forbidden('container cannot be disconnected from host network or connected to host network');
    if (mode === 'none' || mode.startsWith('container:') || network.Driver === 'null') {
      throw forbidden(`container cannot be connected to multiple networks with one of the networks in private (none) mode`);
    }
    container.networks ??= {};
    if (Object.values(container.networks).some((e) => e.NetworkID === network.Id)) {
      throw forbidden(`endpoint with name ${container.name.slice(1)} already exists in network ${network.Name}`);
    }
    const endpoint = this.endpointFor(network, container.id, config);
    if (container.state.Running && container.netnsPath) {
      const index = Object.values(container.networks).filter((e) => e.IPAddress).length;
      await this.connectEndpoint(container, network, endpoint, `eth${index}`, false);
      if (this.usesEmbeddedDns(container, network)) this.attachDns(container);
    }
    container.networks[network.Name] = endpoint;
    await this.deps.containers.save(container);
    this.deps.events.emit('network', 'connect', network.Id, { container: container.id, name: network.Name, type: network.Driver });
  }

  async disconnect(ref: string, container: ContainerRecord): Promise<void> {
    const network = this.store.get(ref);
    if (network.Driver === 'host') throw forbidden('container cannot be disconnected from host network or connected to host network');
    const entry = Object.entries(container.networks ?? {}).find(([, e]) => e.NetworkID === network.Id);
    if (!entry) throw forbidden(`container ${container.id} is not connected to network ${network.Name}`);
    const [name, endpoint] = entry;
    if (endpoint.IPAddress) await this.releaseEndpoint(endpoint);
    delete container.networks![name];
    await this.deps.containers.save(container);
    this.deps.events.emit('network', 'disconnect', network.Id, { container: container.id, name: network.Name, type: network.Driver });
  }

  // ---- containers: create ---------------------------------------------------------------

  /**
   * Checks a create request's network settings and returns the endpoints the container
   * keeps (addresses come at start). Normalises HostConfig.Links as dockerd stores them.
   */
  endpointsForCreate(id: string, name: string, body: ContainerCreateRequest, hostConfig: HostConfig): Record<string, EndpointSettings> {
    const mode = networkModeName(hostConfig);
    const requested = body.NetworkingConfig?.EndpointsConfig ?? {};
    const links = (hostConfig.Links ?? []).map((spec) => {
      const link = parseLink(spec);
      if (!this.deps.containers.find(link.name)) throw badParameter(`could not get container for ${link.name}: No such container: ${link.name}`);
      return link;
    });
    if (links.length) hostConfig.Links = links.map((link) => storedLink(link, name));
    if (mode.startsWith('container:')) {
      const other = this.deps.containers.find(mode.slice('container:'.length));
      if (!other) throw notFound(`No such container: ${mode.slice('container:'.length)}`);
      if (body.Hostname) throw badParameter('conflicting options: hostname and the network mode');
      if (hostConfig.PortBindings && Object.keys(hostConfig.PortBindings).length) throw badParameter('conflicting options: port publishing and the container type network mode');
      return {};
    }
    if (mode === 'host' || mode === 'none') return { [mode]: { ...emptyEndpoint(), NetworkID: this.store.find(mode)?.Id ?? '' } };
    const network = this.store.find(mode);
    // As dockerd: an unknown network fails the start, not the create.
    if (!network) return { [mode]: emptyEndpoint() };
    const config = requested[mode] ?? requested[network.Name] ?? requested[network.Id] ?? {};
    // On a user-defined network a link is a name the container alone resolves (dockerd's way).
    const endpointLinks = network.Name === DEFAULT_BRIDGE_NETWORK ? config.Links : [...new Set([...(config.Links ?? []), ...links.map((l) => `${l.name}:${l.alias}`)])];
    const endpoint = this.endpointFor(network, id, { ...config, Links: endpointLinks, MacAddress: config.MacAddress || body.MacAddress });
    return { [network.Name]: endpoint };
  }

  private endpointFor(network: NetworkRecord, containerId: string, config: EndpointConfig): EndpointSettings {
    const userDefined = network.Name !== DEFAULT_BRIDGE_NETWORK;
    const ip = config.IPAMConfig?.IPv4Address;
    if (ip) {
      if (!userDefined) throw badParameter('user specified IP address is supported on user defined networks only');
      const address = requireIPv4(ip);
      if (!network.IPAM.Config?.length) throw badParameter('user specified IP address is supported only when connecting to networks with user configured subnets');
      if (!subnetContains(this.addressing(network).subnet, address)) throw badParameter(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
    }
    if (config.Aliases?.length && !userDefined) throw badParameter('network-scoped alias is supported only for containers in user defined networks');
    if (config.MacAddress && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(config.MacAddress)) throw badParameter(`${config.MacAddress} is not a valid mac address`);
    return {
      ...emptyEndpoint(),
      IPAMConfig: config.IPAMConfig ?? null,
      Links: config.Links?.length ? config.Links : null,
      // dockerd 20.10 adds the short id on user-defined networks: it resolves there.
      Aliases: userDefined ? [...(config.Aliases ?? []), shortId(containerId)] : null,
      NetworkID: network.Id,
      MacAddress: config.MacAddress ?? '',
      DriverOpts: config.DriverOpts ?? null,
    };
  }

  // ---- containers: start and exit ----------------------------------------------------------

  /** Gives a starting container its network; undone by detach() on failure or exit. */
  async attach(record: ContainerRecord): Promise<ContainerNetworking> {
    const mode = networkModeName(record.hostConfig);
    const base = { hostsEntries: [], embeddedDns: false, linkEnv: [] };
    if (mode === 'host' || mode === 'none') return { ...base, namespace: mode };
    if (mode.startsWith('container:')) {
      const other = this.deps.containers.get(mode.slice('container:'.length));
      if (!other.state.Running) throw conflict(`cannot join network of a non running container: ${other.id}`);
      return { ...base, namespace: { path: other.netnsPath ?? `/proc/${other.state.Pid}/ns/net`, shared: true }, shareEtcFrom: other.id };
    }
    record.networks ??= this.endpointsForCreate(record.id, record.name, { Image: '' }, record.hostConfig);
    const links = this.linkTargets(record);
    const netnsPath = path.join(this.netnsDir, record.id);
    native.deleteNetns(netnsPath);
    native.createNetns(netnsPath);
    record.netnsPath = netnsPath;
    try {
      let index = 0;
      for (const [name, endpoint] of Object.entries(record.networks)) {
        const network = this.store.find(endpoint.NetworkID || name);
        if (!network) throw notFound(`network ${name} not found`);
        const primary = index === 0;
        await this.connectEndpoint(record, network, endpoint, `eth${index}`, primary, primary ? record.config.MacAddress : undefined);
        this.deps.events.emit('network', 'connect', network.Id, { container: record.id, name: network.Name, type: network.Driver });
        index++;
      }
      await this.publish(record);
      const embeddedDns = this.usesEmbeddedDns(record);
      if (embeddedDns) this.attachDns(record);
      return {
        namespace: { path: netnsPath },
        hostsEntries: this.hostsEntries(record),
        embeddedDns,
        linkEnv: links.flatMap(({ alias, target, ip }) =>
          linkEnvironment({ alias, parentName: record.name, childIp: ip, exposedPorts: Object.keys(target.config.ExposedPorts ?? {}), childEnv: target.config.Env ?? [] }),
        ),
      };
    } catch (err) {
      await this.detach(record);
      throw err;
    }
  }

  /** The default bridge's gateway: what `--add-host name:host-gateway` points at, as in dockerd. */
  hostGateway(): string {
    const bridge = this.store.find(DEFAULT_BRIDGE_NETWORK);
    return bridge ? formatIPv4(this.addressing(bridge).gateway) : '127.0.0.1';
  }

  /** The running containers a container's legacy links point at, with their addresses. */
  private linkTargets(record: ContainerRecord): { alias: string; target: ContainerRecord; ip: string }[] {
    return this.legacyLinks(record).map((spec) => {
      const { name, alias } = parseLink(spec);
      const target = this.deps.containers.find(name);
      if (!target?.state.Running) throw badParameter(`Cannot link to a non running container: /${name} AS ${record.name}/${alias}`);
      const ip = target.networks?.[DEFAULT_BRIDGE_NETWORK]?.IPAddress;
      if (!ip) throw badParameter(`Cannot link to /${name}, as it does not belong to the default network`);
      return { alias, target, ip };
    });
  }

  /** Links with hosts entries and environment: those of a container on the default bridge. */
  private legacyLinks(record: ContainerRecord): string[] {
    return networkModeName(record.hostConfig) === DEFAULT_BRIDGE_NETWORK ? record.hostConfig.Links ?? [] : [];
  }

  /** Running containers whose links point at this one: their /etc/hosts follows its address. */
  linkedBy(record: ContainerRecord): ContainerRecord[] {
    return this.deps.containers.all().filter((c) => c.state.Running && this.legacyLinks(c).some((l) => this.deps.containers.find(parseLink(l).name)?.id === record.id));
  }

  /**
   * The /etc/hosts lines of a container's links (`alias hostname name`, as dockerd
   * writes them) and of its own address, in `names:address` form.
   */
  hostsEntries(record: ContainerRecord): string[] {
    const links = this.legacyLinks(record).flatMap((spec) => {
      const { name, alias } = parseLink(spec);
      const target = this.deps.containers.find(name);
      const ip = target?.networks?.[DEFAULT_BRIDGE_NETWORK]?.IPAddress;
      if (!target || !ip) return [];
      const targetName = target.name.slice(1);
      return [`${[alias, target.config.Hostname, ...(alias === targetName ? [] : [targetName])].filter(Boolean).join(' ')}:${ip}`];
    });
    const own = Object.values(record.networks ?? {}).find((e) => e.IPAddress);
    const hostname = record.config.Hostname || shortId(record.id);
    const fqdn = record.config.Domainname ? `${hostname}.${record.config.Domainname} ` : '';
    return [...links, ...(own ? [`${fqdn}${hostname}:${own.IPAddress}`] : [])];
  }

  private async connectEndpoint(record: ContainerRecord, network: NetworkRecord, endpoint: EndpointSettings, interfaceName: string, primary: boolean, mac?: string): Promise<void> {
    if (network.Driver !== 'bridge') throw badParameter(`network ${network.Name} cannot be joined`);
    const space = this.space(network.Id)!;
    const { subnet, gateway } = this.addressing(network);
    const requested = endpoint.IPAMConfig?.IPv4Address;
    const address = space.allocate(requested ? requireIPv4(requested) : undefined);
    const endpointId = randomBytes(32).toString('hex');
    const macAddress = (mac || endpoint.MacAddress || macForAddress(address)).toLowerCase();
    try {
      await addEndpoint({
        netnsPath: record.netnsPath!,
        hostInterface: hostInterfaceName(endpointId),
        bridge: network.bridge,
        interfaceName,
        addressCidr: `${formatIPv4(address)}/${subnet.prefix}`,
        mac: macAddress,
        gateway: primary && !network.Internal ? formatIPv4(gateway) : undefined,
      });
    } catch (err) {
      space.release(address);
      throw new ApiError(500, `failed to set up the network of container ${shortId(record.id)} on ${network.Name}: ${errorMessage(err)}`);
    }
    Object.assign(endpoint, {
      NetworkID: network.Id,
      EndpointID: endpointId,
      Gateway: network.Internal ? '' : formatIPv4(gateway),
      IPAddress: formatIPv4(address),
      IPPrefixLen: subnet.prefix,
      MacAddress: macAddress,
    } satisfies Partial<EndpointSettings>);
  }

  /** Takes one endpoint out of a running container (disconnect): its veth and address. */
  private async releaseEndpoint(endpoint: EndpointSettings): Promise<void> {
    await removeEndpoint(hostInterfaceName(endpoint.EndpointID)).catch((err) => log.warn('could not remove a veth', { err: errorMessage(err) }));
    const address = parseIPv4(endpoint.IPAddress);
    if (address !== undefined) this.space(endpoint.NetworkID)?.release(address);
  }

  /** Takes back everything attach() gave: ports, resolver, addresses, namespace. Idempotent. */
  async detach(record: ContainerRecord): Promise<void> {
    this.dns.detach(record.id);
    const primary = this.primaryNetwork(record);
    const ports = this.publishedPorts(record);
    if (primary && ports.length) await unpublishPorts(primary.bridge, ports).catch((err) => log.warn('could not unpublish ports', { id: record.id, err: errorMessage(err) }));
    for (const p of ports) this.hostPorts.release(p.proto, p.hostIp, p.hostPort);
    record.ports = {};
    for (const [name, endpoint] of Object.entries(record.networks ?? {})) {
      const address = parseIPv4(endpoint.IPAddress);
      if (address !== undefined) this.space(endpoint.NetworkID)?.release(address);
      if (endpoint.EndpointID) this.deps.events.emit('network', 'disconnect', endpoint.NetworkID, { container: record.id, name, type: 'bridge' });
      Object.assign(endpoint, { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' });
    }
    if (record.netnsPath) {
      // The namespace going takes its veths with it; their bridge ends vanish too.
      native.deleteNetns(record.netnsPath);
      record.netnsPath = undefined;
    }
  }

  // ---- published ports ----------------------------------------------------------------------

  /** The network whose gateway the container uses: the first it joined, if it can publish ports. */
  private primaryNetwork(record: ContainerRecord): NetworkRecord | undefined {
    const first = Object.values(record.networks ?? {})[0];
    const network = first && this.store.find(first.NetworkID);
    return network?.Driver === 'bridge' && !network.Internal ? network : undefined;
  }

  private publishedPorts(record: ContainerRecord): PublishedPort[] {
    const primary = this.primaryNetwork(record);
    const containerIp = primary && Object.values(record.networks ?? {})[0]?.IPAddress;
    if (!containerIp) return [];
    return Object.entries(record.ports ?? {}).flatMap(([key, bindings]) => {
      const [port, proto = 'tcp'] = key.split('/');
      if (proto !== 'tcp' && proto !== 'udp') return [];
      return (bindings ?? []).map((b) => ({ proto, hostIp: b.HostIp === '0.0.0.0' ? '' : b.HostIp ?? '', hostPort: Number(b.HostPort), containerIp, containerPort: Number(port) }));
    });
  }

  /** Reserves host ports for PortBindings (and every exposed port with -P), then adds the DNAT entries. */
  private async publish(record: ContainerRecord): Promise<void> {
    const primary = this.primaryNetwork(record);
    const exposed = Object.keys(record.config.ExposedPorts ?? {});
    const bindings = record.hostConfig.PortBindings ?? {};
    const ports: PortMap = {};
    record.ports = ports;
    for (const key of new Set([...exposed, ...Object.keys(bindings)])) {
      const normalized = key.includes('/') ? key : `${key}/tcp`;
      const wanted = bindings[key]?.length ? bindings[key] : record.hostConfig.PublishAllPorts ? [{ HostIp: '', HostPort: '' }] : null;
      const proto = normalized.split('/')[1] as PortProtocol;
      if (!wanted || !primary || (proto !== 'tcp' && proto !== 'udp')) {
        ports[normalized] ??= null;
        continue;
      }
      for (const binding of wanted) {
        const hostIp = binding.HostIp === '0.0.0.0' ? '' : binding.HostIp ?? '';
        if (hostIp && parseIPv4(hostIp) === undefined) throw badParameter(`invalid host IP: ${hostIp}`);
        const hostPort = await this.reserveHostPort(record, proto, hostIp, binding.HostPort ?? '');
        (ports[normalized] ??= []).push({ HostIp: hostIp || '0.0.0.0', HostPort: String(hostPort) });
      }
    }
    if (primary) await publishPorts(primary.bridge, this.publishedPorts(record));
  }

  private async reserveHostPort(record: ContainerRecord, proto: PortProtocol, hostIp: string, spec: string): Promise<number> {
    const [low, high = low] = spec ? spec.split('-').map(Number) : [0, 0];
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < 0 || high > 65535 || high < low) throw badParameter(`invalid port specification: "${spec}"`);
    const endpoint = Object.values(record.networks ?? {})[0]?.EndpointID ?? '';
    let lastError: unknown;
    for (let port = low; port <= high; port++) {
      try {
        return await this.hostPorts.reserve(proto, hostIp, port);
      } catch (err) {
        lastError = err;
      }
    }
    throw new ApiError(500, `driver failed programming external connectivity on endpoint ${record.name.slice(1)} (${endpoint}): ${errorMessage(lastError)}`);
  }

  // ---- the embedded resolver -------------------------------------------------------------------

  private usesEmbeddedDns(record: ContainerRecord, also?: NetworkRecord): boolean {
    const networks = [...Object.values(record.networks ?? {}).map((e) => this.store.find(e.NetworkID)), also];
    return networks.some((n) => n && n.Driver === 'bridge' && n.Name !== DEFAULT_BRIDGE_NETWORK);
  }

  private attachDns(record: ContainerRecord): void {
    try {
      this.dns.attach(record.id, record.netnsPath!);
    } catch (err) {
      log.warn('embedded DNS not available in the container', { id: record.id, err: errorMessage(err) });
    }
  }

  /**
   * A name as container `containerId` sees it: the containers on its user-defined
   * networks by name, network alias and short id; its endpoint links' aliases.
   */
  private resolveName(containerId: string, name: string): string[] | undefined {
    const asker = this.deps.containers.find(containerId);
    if (!asker) return undefined;
    const wanted = name.toLowerCase();
    const addresses: string[] = [];
    for (const [netName, askerEndpoint] of Object.entries(asker.networks ?? {})) {
      if (netName === DEFAULT_BRIDGE_NETWORK || !askerEndpoint.IPAddress) continue;
      const linked = (askerEndpoint.Links ?? []).map(parseLink).find((l) => l.alias.toLowerCase() === wanted)?.name.toLowerCase();
      for (const record of this.deps.containers.all()) {
        if (!record.state.Running) continue;
        const endpoint = Object.values(record.networks ?? {}).find((e) => e.NetworkID === askerEndpoint.NetworkID && e.IPAddress);
        if (!endpoint) continue;
        const names = [record.name.slice(1), record.id.slice(0, 12), ...(endpoint.Aliases ?? [])].map((n) => n.toLowerCase());
        if (names.includes(wanted) || (linked && names.includes(linked))) {
          if (!addresses.includes(endpoint.IPAddress)) addresses.push(endpoint.IPAddress);
        }
      }
    }
    return addresses.length ? addresses : undefined;
  }

  /** PTR: `name.network` of the container with that address on one of the asker's networks, as dockerd answers. */
  private resolveAddress(containerId: string, address: string): string | undefined {
    const asker = this.deps.containers.find(containerId);
    const shared = new Map(Object.entries(asker?.networks ?? {}).map(([name, e]) => [e.NetworkID, name]));
    for (const record of this.deps.containers.all()) {
      if (!record.state.Running) continue;
      for (const endpoint of Object.values(record.networks ?? {})) {
        const network = shared.get(endpoint.NetworkID);
        if (endpoint.IPAddress === address && network && network !== DEFAULT_BRIDGE_NETWORK) return `${record.name.slice(1)}.${network}`;
      }
    }
    return undefined;
  }

  /** Where other names go: the container's --dns, berthd's --dns, or the host's resolvers; nowhere from an internal network. */
  private upstreamResolvers(containerId: string): string[] {
    const record = this.deps.containers.find(containerId);
    const networks = Object.values(record?.networks ?? {}).map((e) => this.store.find(e.NetworkID));
    if (networks.length && networks.every((n) => n?.Internal)) return [];
    if (record?.hostConfig.Dns?.length) return record.hostConfig.Dns;
    if (this.deps.config.dns.length) return this.deps.config.dns;
    return hostResolvers();
  }

  close(): void {
    this.dns.close();
  }
}

let hostResolverCache: { at: number; servers: string[] } | undefined;

/** The host's nameservers: berth forwards from the host's namespace, so loopback ones work too. */
function hostResolvers(): string[] {
  if (hostResolverCache && Date.now() - hostResolverCache.at < 5000) return hostResolverCache.servers;
  let servers: string[] = [];
  try {
    servers = resolvConfEntries(readFileSync('/etc/resolv.conf', 'utf8'), 'nameserver').filter((s) => parseIPv4(s) !== undefined);
  } catch {
    // no resolvers: names outside berth do not resolve
  }
  hostResolverCache = { at: Date.now(), servers };
  return servers;
}

function hostInterfaceName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}
