// berth version: the client section, then the server's /version (docker's layout).
import { API_VERSION } from '../../../api/types.js';
import { PROG, stringFlag, type Command, StatusError } from '../../command.js';
import { tabwrite } from '../../format/index.js';
import { compileTemplate } from '../../util/output.js';

export const CLI_VERSION = '0.1.0';

interface ServerVersion {
  Platform?: { Name: string };
  Components?: { Name: string; Version: string; Details?: Record<string, string> }[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  [key: string]: unknown;
}

function clientInfo(apiVersion: string) {
  return {
    Platform: { Name: '' },
    Version: CLI_VERSION,
    APIVersion: apiVersion,
    DefaultAPIVersion: API_VERSION,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: process.arch === 'x64' ? 'amd64' : process.arch,
    Context: 'default',
  };
}

function clientText(c: ReturnType<typeof clientInfo>): string {
  const downgraded = c.APIVersion !== c.DefaultAPIVersion ? ` (downgraded from ${c.DefaultAPIVersion})` : '';
  return (
    `Client:\n Version:\t${c.Version}\n API version:\t${c.APIVersion}${downgraded}\n Node version:\t${c.NodeVersion}\n` +
    ` OS/Arch:\t${c.Os}/${c.Arch}\n Context:\t${c.Context}\n`
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** docker shows an RFC 3339 build time in Go's ANSIC layout ("Mon Jan _2 15:04:05 2006"), as UTC-parsed. */
function ansic(time: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return time;
  const [, y, mo, d, h, mi, s] = m;
  const day = new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDay();
  return `${DAYS[day]} ${MONTHS[+mo - 1]} ${String(+d).padStart(2, ' ')} ${h}:${mi}:${s} ${y}`;
}

function serverText(s: ServerVersion): string {
  let text = `\nServer:${s.Platform?.Name ? ` ${s.Platform.Name}` : ''}\n`;
  for (const comp of s.Components ?? []) {
    // A map[string]string in docker: a missing detail prints as "".
    const d = new Proxy(comp.Details ?? {}, { get: (t, k: string) => t[k] ?? '' });
    text += ` ${comp.Name}:\n`;
    if (comp.Name === 'Engine') {
      text +=
        `  Version:\t${comp.Version}\n  API version:\t${d.ApiVersion} (minimum version ${d.MinAPIVersion})\n  Go version:\t${d.GoVersion}\n` +
        `  Git commit:\t${d.GitCommit}\n  Built:\t${ansic(d.BuildTime)}\n  OS/Arch:\t${d.Os}/${d.Arch}\n  Experimental:\t${d.Experimental}\n`;
    } else {
      text += `  Version:\t${comp.Version}\n`;
      for (const key of Object.keys(d).sort()) text += `  ${key}:\t${d[key]}\n`;
    }
  }
  return text;
}

export const versionCommand: Command = {
  name: 'version',
  use: '[OPTIONS]',
  short: `Show the ${PROG} version information`,
  flags: [stringFlag('format', 'f', 'Format output using a custom template')],
  args: { max: 0 },
  async run(cli, flags) {
    const client = cli.client();
    let server: ServerVersion | undefined;
    let serverError: Error | undefined;
    try {
      server = (await client.version()) as ServerVersion;
    } catch (err) {
      serverError = err as Error;
    }
    const info = clientInfo(server ? await client.apiVersion() : API_VERSION);
    const format = flags.string('format');
    if (format) {
      const render = compileTemplate(format, (msg) => new StatusError(64, `template parsing error: ${msg}`), 'system.versionInfo', 'version');
      const result = render({ Client: info, Server: server ? { ...server, APIVersion: server.ApiVersion } : null });
      cli.out.write(`${result.output}\n`);
      if (result.error) throw new Error(result.error);
    } else {
      cli.out.write(tabwrite(clientText(info) + (server ? serverText(server) : ''), { minwidth: 20, tabwidth: 1, padding: 1, padchar: ' ', flags: 0 }));
    }
    if (serverError) throw serverError;
  },
};
