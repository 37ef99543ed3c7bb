import { isIP } from 'node:net';
import { badParameter } from '../common/errors.js';

/**
 * dockerd's opts.ValidateExtraHost for a HostConfig.ExtraHosts entry: "name:ip", split at the
 * first colon (an IPv6 address has more), the address valid or the special "host-gateway".
 */
export function validateExtraHost(entry: string): void {
  const sep = entry.indexOf(':');
  if (sep <= 0) throw badParameter(`bad format for add-host: ${JSON.stringify(entry)}`);
  const ip = entry.slice(sep + 1);
  if (ip !== 'host-gateway' && !isIP(ip.trim())) throw badParameter(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
}
