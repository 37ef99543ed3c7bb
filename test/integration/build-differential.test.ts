// berthd against dockerd 20.10 (Debian's docker.io), the classic builder it imitates: the same
// Dockerfiles built by `DOCKER_BUILDKIT=0 docker build` on both, from the same busybox image
// (saved from berthd, loaded into dockerd: the same image id), must give the same image config
// and the same files, and fail with the same words. dockerd runs privately (its own data root,
// exec root, socket and pidfile, no bridge or iptables) and is stopped by its pid, its mounts
// undone, whatever the outcome. Skipped where dockerd is not installed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, startDaemonWithBusybox, type RunResult, type TestDaemon } from '../helpers/daemon.js';

const DOCKERD = '/usr/sbin/dockerd';
process.env.DOCKER_BUILDKIT = '0';

/** A dockerd of this file's own, on a temporary data root, exec root and socket. */
class ReferenceDockerd {
  readonly dir = mkdtempSync('/tmp/berth-refdockerd-');
  readonly host = `unix://${path.join(this.dir, 'docker.sock')}`;
  private process?: ChildProcess;

  async start(): Promise<void> {
    const log = openSync(path.join(this.dir, 'dockerd.log'), 'a');
    this.process = spawn(
      DOCKERD,
      [
        '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec'), '-H', this.host, '--pidfile', path.join(this.dir, 'dockerd.pid'),
        '--bridge', 'none', '--iptables=false', '--ip-masq=false',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) break;
      if (this.docker(['version', '--format', '{{.Server.Version}}']).code === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`dockerd did not start: ${readFileSync(path.join(this.dir, 'dockerd.log'), 'utf8')}`);
  }

  docker(args: string[], opts: { input?: string } = {}): RunResult {
    return runCommand('docker', args, { DOCKER_HOST: this.host }, { ...opts, timeoutMs: 120000 });
  }

  /** Removes its containers, stops it (SIGTERM to its pid, SIGKILL after 20 s), undoes its mounts, deletes its files. */
  async stop(): Promise<void> {
    const p = this.process;
    if (p && p.exitCode === null) {
      const ids = this.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) this.docker(['rm', '-f', ...ids]);
      const exited = new Promise((r) => p.once('exit', r));
      process.kill(p.pid!, 'SIGTERM');
      const timer = setTimeout(() => p.exitCode === null && process.kill(p.pid!, 'SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    }
    // netns/default under the exec root, overlay and shm mounts under the data root: deepest first.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1])
      .filter((m) => m?.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the comparison looks at in an image's config (docker image inspect's .Config). */
const CONFIG_FIELDS = ['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'OnBuild', 'Healthcheck', 'StopSignal', 'Shell'];

/**
 * Every path of the image's filesystem with its type, mode and owner, and for files their size
 * and checksum, for symlinks their target; not what the engine adds at run time (/proc, /sys,
 * /dev, the files it mounts, dockerd's /.dockerenv and /etc/mtab, the VOLUME paths given as
 * arguments). mtimes and directory sizes depend on the moment and the filesystem.
 */
const LIST_FILES = `find / -xdev ! -path '/proc/*' ! -path '/sys/*' ! -path '/dev/*' | sort | while read -r f; do
  for skip in /.dockerenv /etc/hosts /etc/hostname /etc/mtab /etc/resolv.conf "$@"; do
    case "$f" in "$skip"|"$skip"/*) continue 2;; esac
  done
  if [ -L "$f" ]; then echo "$f -> $(readlink "$f") $(stat -c '%u:%g' "$f")"
  elif [ -d "$f" ]; then stat -c '%n dir %a %u:%g' "$f"
  else echo "$(stat -c '%n %F %a %u:%g %s' "$f") $(md5sum < "$f" | cut -c1-32)"; fi
done`;

const DOCKERFILES: Record<string, string> = {
  metadata: `FROM busybox
ARG VERSION=1.0
ARG EMPTY
ENV APP_HOME=/srv/app PATH=/srv/app/bin:$PATH VERSION=$VERSION
ENV QUOTED="a b" SINGLE='$VERSION' ESCAPED=\\$VERSION
LABEL org.example.name="diff test" org.example.version=$VERSION
WORKDIR $APP_HOME
WORKDIR sub
USER 1000:1000
EXPOSE 80 443/tcp 53/udp 8000-8002
VOLUME ["/data", "/logs"]
VOLUME /cache
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=4 CMD ["true"]
ONBUILD RUN echo "triggered in $APP_HOME" > /tmp/onbuild.txt
SHELL ["/bin/sh", "-ec"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo hi"]
`,
  'shell-forms': `FROM busybox
ENTRYPOINT echo from the entrypoint
HEALTHCHECK CMD wget -q -O- http://localhost/ || exit 1
SHELL ["/bin/ash", "-c"]
CMD echo from the cmd
`,
  files: `FROM busybox
RUN echo app:x:2000:2000::/home/app:/bin/sh >> /etc/passwd && echo app:x:2000: >> /etc/group && mkdir -m 750 /home/app && chown app:app /home/app
COPY --chown=app:app src/ /srv/src/
COPY --chown=2000 one.txt /srv/one.txt
COPY ["two.txt", "link", "/srv/many/"]
ADD --chown=1:1 archive.tar.gz /srv/unpacked/
ADD one.txt /srv/added.txt
RUN rm /srv/src/remove-me.txt && mkdir -p /srv/made && echo x > /srv/made/x && chmod 700 /srv/made && ln -s /srv/made/x /srv/made/link
WORKDIR /srv/work/deeper
USER app
RUN touch /home/app/made-by-app
`,
  'no-op-steps': `FROM busybox
RUN true
WORKDIR /etc
WORKDIR /made/by/workdir
USER nobody
WORKDIR /made/by/workdir/as-nobody
RUN ls > /dev/null
`,
  multistage: `FROM busybox AS build
WORKDIR /out
RUN echo built > artifact && mkdir -p sub && echo s > sub/s && chmod 640 sub/s
FROM busybox
COPY --from=build /out/ /opt/
COPY --from=build --chown=65534:65534 /out/artifact /opt/owned
COPY --from=0 /out/sub /sub
`,
  onbuild: `FROM diff-metadata
ENV CHILD=1
`,
  chmod: `FROM busybox
COPY --chmod=600 one.txt /one.txt
`,
};

describe('classic builds: berthd and dockerd 20.10 agree', { skip: !existsSync(DOCKERD) && `${DOCKERD} is not installed` }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  let context = '';
  const engines = () => [
    { name: 'berthd', docker: (args: string[]) => berthd.docker(args, { timeoutMs: 120000 }) },
    { name: 'dockerd', docker: (args: string[]) => dockerd.docker(args) },
  ];

  before(async () => {
    dockerd = new ReferenceDockerd();
    [berthd] = await Promise.all([startDaemonWithBusybox(), dockerd.start()]);
    // The same base image on both: saved from berthd, loaded into dockerd.
    const archive = path.join(dockerd.dir, 'busybox.tar');
    assert.equal(berthd.berth(['save', '-o', archive, 'busybox:latest']).code, 0);
    const loaded = dockerd.docker(['load', '-i', archive]);
    assert.equal(loaded.code, 0, loaded.stderr);

    context = path.join(dockerd.dir, 'context');
    const files: Record<string, string> = { 'one.txt': 'one\n', 'two.txt': 'two\n', 'src/keep.txt': 'keep\n', 'src/remove-me.txt': 'gone\n', 'src/nested/deep.txt': 'deep\n' };
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(context, name)), { recursive: true });
      writeFileSync(path.join(context, name), content);
    }
    symlinkSync('two.txt', path.join(context, 'link'));
    assert.equal(spawnSync('tar', ['-czf', path.join(context, 'archive.tar.gz'), '-C', path.join(context, 'src'), '.']).status, 0);
    for (const [name, text] of Object.entries(DOCKERFILES)) writeFileSync(path.join(context, `${name}.Dockerfile`), text);
  });

  after(async () => {
    await Promise.allSettled([berthd?.stop(), dockerd?.stop()]);
  });

  it('starts from the same busybox image', () => {
    const ids = engines().map((e) => e.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest']).stdout);
    assert.match(ids[0], /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(ids[1], ids[0]);
  });

  for (const name of Object.keys(DOCKERFILES).filter((n) => n !== 'chmod')) {
    it(`${name}: the same config, history and files`, () => {
      const images = engines().map(({ name: engine, docker }) => {
        const built = docker(['build', '-q', '-t', `diff-${name}`, '-f', path.join(context, `${name}.Dockerfile`), context]);
        assert.equal(built.code, 0, `${engine}: ${built.stderr}`);
        const inspect = JSON.parse(docker(['image', 'inspect', `diff-${name}`]).stdout)[0];
        const volumes = Object.keys(inspect.Config.Volumes ?? {});
        const files = docker(['run', '--rm', '--entrypoint', '/bin/sh', '--user', '0', `diff-${name}`, '-c', LIST_FILES, 'sh', ...volumes]);
        assert.equal(files.code, 0, `${engine}: ${files.stderr}`);
        const config = Object.fromEntries(CONFIG_FIELDS.map((field) => [field, inspect.Config[field] ?? null]));
        // Each engine hashes COPY and ADD sources its own way; the rest of the history is the same text.
        const history = docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', `diff-${name}`]).stdout.replace(/(file|dir|multi):[0-9a-f]{64}/g, '$1:<hash>');
        return { config, history: history.split('\n'), layers: inspect.RootFS.Layers.length, files: files.stdout.split('\n') };
      });
      assert.deepEqual(images[0].config, images[1].config, 'config (berthd, then dockerd)');
      assert.deepEqual(images[0].history, images[1].history, 'history (berthd, then dockerd)');
      assert.equal(images[0].layers, images[1].layers, 'number of layers');
      assert.deepEqual(images[0].files, images[1].files, 'files (berthd, then dockerd)');
    });
  }

  it('COPY --chmod: dockerd\'s classic builder refuses it, berth applies it (as BuildKit does)', () => {
    const [berth, docker] = engines().map(({ docker }) => docker(['build', '-q', '-f', path.join(context, 'chmod.Dockerfile'), context]));
    assert.match(docker.stderr, /the --chmod option requires BuildKit/);
    assert.equal(berth.code, 0, berth.stderr);
    const mode = engines()[0].docker(['run', '--rm', berth.stdout.trim(), 'stat', '-c', '%a', '/one.txt']);
    assert.equal(mode.stdout, '600\n');
  });
});
