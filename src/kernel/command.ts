import { spawn } from 'node:child_process';

/**
 * Runs a tool (ip, nft, nsenter) with an optional script on stdin; rejects with its
 * stderr, so the kernel's own words reach the user.
 */
export function runCommand(file: string, args: string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(Buffer.concat(err).toString().trim() || `${file} ${args.join(' ')} exited with ${code}`));
    });
    if (child.stdin) {
      // A tool that exits before reading its script makes the write fail (EPIPE): its exit
      // status says what went wrong, and an unheard 'error' event would end berthd.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    }
  });
}
