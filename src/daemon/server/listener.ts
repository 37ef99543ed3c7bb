import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Router } from './router.js';

/** Serves the router on one `-H` address: `unix:///path` or `tcp://host:port`. */
export async function listen(router: Router, host: string): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0 });
  server.on('request', (req, res) => void router.handle(req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    // Answer through a ServerResponse bound to the raw socket, so handlers have one
    // way to reply whether or not they take the connection over.
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as import('node:net').Socket);
    void router.handle(req, res, { socket, head });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const url = new URL(host);
  if (url.protocol === 'unix:') {
    const socketPath = url.pathname;
    await fs.mkdir(path.dirname(socketPath), { recursive: true });
    await fs.rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    await fs.chmod(socketPath, 0o660);
    const gid = groupId('berth');
    if (gid !== undefined) await fs.chown(socketPath, 0, gid);
  } else if (url.protocol === 'tcp:') {
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(Number(url.port || 2375), url.hostname, resolve),
    );
  } else {
    throw new Error(`unsupported host ${host}: use unix:///path or tcp://host:port`);
  }
  return server;
}

function groupId(name: string): number | undefined {
  try {
    const line = execFileSync('getent', ['group', name], { encoding: 'utf8' });
    return Number(line.split(':')[2]);
  } catch {
    return undefined;
  }
}
