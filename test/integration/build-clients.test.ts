// Builds from Docker's Python clients against a berthd of this file's own: docker-py's
// images.build (a directory, and a remote git repository or archive through `path`) and
// docker-compose 1.29's `build` through docker-py. Each test skips when its client is not
// installed (Debian: python3-docker, docker-compose).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';
import { bareClone, gitRepo, hasGit, serveFiles, type FileServer } from '../helpers/remote-context.js';

// Debian's python, which has the docker module (a python on PATH, e.g. pyenv's, may not).
const PYTHON = '/usr/bin/python3';
const hasDockerPy = () => spawnSync(PYTHON, ['-c', 'import docker']).status === 0;
// Asynchronous: a remote build fetches from a server in this process, which must keep serving.
const execFileAsync = promisify(execFile);
const hasCompose = () => spawnSync('docker-compose', ['version'], { env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent' } }).status === 0;

/** images.build with these keyword arguments; prints the image's id, tags and Config as JSON. */
const DOCKER_PY_BUILD = `
import docker, json, sys
client = docker.DockerClient(base_url=sys.argv[1])
image, _ = client.images.build(**json.loads(sys.argv[2]))
print(json.dumps({"id": image.id, "tags": image.tags, "config": image.attrs["Config"]}))
`;

let daemon: TestDaemon;
let work: string;

before(async () => {
  daemon = await startDaemonWithBusybox();
  work = mkdtempSync('/tmp/berth-build-clients-');
});

after(async () => {
  await daemon?.stop();
  rmSync(work, { recursive: true, force: true });
});

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

async function dockerPyBuild(args: Record<string, unknown>): Promise<{ id: string; tags: string[]; config: Record<string, any> }> {
  const { stdout } = await execFileAsync(PYTHON, ['-c', DOCKER_PY_BUILD, daemon.host, JSON.stringify(args)], { timeout: 120000 });
  return JSON.parse(stdout);
}

const run = (image: string, ...cmd: string[]) => daemon.docker(['run', '--rm', image, ...cmd]).stdout;

const APP = {
  Dockerfile: 'FROM busybox\nARG GREETING=none\nRUN echo "$GREETING" > /greeting && tail -n 1 /etc/hosts > /hosts && ls /sys/class/net > /net\nCOPY app.txt /app.txt\nCMD ["cat", "/greeting", "/app.txt"]\n',
  'app.txt': 'the app\n',
  '.dockerignore': 'ignored.txt\n',
  'ignored.txt': 'never sent\n',
};

describe('docker-py', () => {
  const need = (t: TestContext) => hasDockerPy() || (t.skip('python3-docker is not installed'), false);

  it('images.build of a directory: build args, labels, extra hosts, network mode, .dockerignore', async (t) => {
    if (!need(t)) return;
    const dir = writeTree(path.join(work, 'py-app'), APP);
    const image = await dockerPyBuild({
      path: dir, tag: 'py-app:v1', buildargs: { GREETING: 'hello from docker-py' }, labels: { 'org.example.by': 'docker-py' },
      extra_hosts: { db: '10.1.2.3' }, network_mode: 'none', rm: true,
    });
    assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(image.tags, ['py-app:v1']);
    assert.deepEqual(image.config.Labels, { 'org.example.by': 'docker-py' });
    assert.equal(run('py-app:v1'), 'hello from docker-py\nthe app\n');
    assert.equal(run('py-app:v1', 'cat', '/hosts', '/net'), '10.1.2.3\tdb\nlo\n');
    assert.notEqual(daemon.docker(['run', '--rm', 'py-app:v1', 'ls', '/ignored.txt']).code, 0, '.dockerignore applied');
  });

  it('images.build of a remote: a git repository over http (#ref:subdir), an archive URL', async (t) => {
    if (!need(t)) return;
    if (!hasGit()) return t.skip('git is not installed');
    const served = path.join(work, 'served');
    const repo = gitRepo(path.join(work, 'py-repo'), { 'app/Dockerfile': 'FROM busybox\nCOPY . /src/\nCMD ["ls", "/src"]\n', 'app/code.txt': 'code\n' });
    mkdirSync(served);
    bareClone(repo, path.join(served, 'repo.git'));
    const archive = spawnSync('tar', ['-C', path.join(repo, 'app'), '-c', '.']);
    writeFileSync(path.join(served, 'app.tar.gz'), gzipSync(archive.stdout));
    let web: FileServer | undefined;
    try {
      web = await serveFiles(served);
      // docker-py hands http(s)/git URLs to the daemon as `remote`
      await dockerPyBuild({ path: `${web.base}/repo.git#main:app`, tag: 'py-git' });
      assert.equal(run('py-git'), 'Dockerfile\ncode.txt\n');
      await dockerPyBuild({ path: `${web.base}/app.tar.gz`, tag: 'py-tar' });
      assert.equal(run('py-tar'), 'Dockerfile\ncode.txt\n');
    } finally {
      await web?.close();
    }
  });

  it('a failing build raises BuildError with the daemon\'s message', async (t) => {
    if (!need(t)) return;
    const dir = writeTree(path.join(work, 'py-fail'), { Dockerfile: 'FROM busybox\nRUN exit 3\n' });
    const script = `
import docker, sys
try:
    docker.DockerClient(base_url=sys.argv[1]).images.build(path=sys.argv[2])
except docker.errors.BuildError as err:
    print(err.msg)
`;
    const { stdout } = await execFileAsync(PYTHON, ['-c', script, daemon.host, dir], { timeout: 120000 });
    assert.equal(stdout, "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n");
  });
});

describe('docker-compose', () => {
  it('builds a service with a build: section through the Engine API', (t) => {
    if (!hasCompose()) return t.skip('docker-compose is not installed');
    const dir = writeTree(path.join(work, 'compose'), {
      ...APP,
      'docker-compose.yml': [
        'version: "3.8"',
        'services:',
        '  web:',
        '    build:',
        '      context: .',
        '      args:',
        '        GREETING: hello from compose',
        '      labels:',
        '        org.example.by: compose',
        '      network: none',
        '      extra_hosts:',
        '        - "cache:10.9.8.7"',
        '',
      ].join('\n'),
    });
    const project = `bclients${process.pid}`;
    // COMPOSE_DOCKER_CLI_BUILD=0: compose builds through docker-py (POST /build), not the docker CLI.
    const env = { DOCKER_HOST: daemon.host, COMPOSE_PROJECT_NAME: project, COMPOSE_DOCKER_CLI_BUILD: '0' };
    const r = spawnSync('docker-compose', ['--ansi', 'never', 'build'], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Successfully tagged bclients\d+_web:latest/);
    const image = `${project}_web`;
    assert.equal(daemon.docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', image]).stdout, '{"org.example.by":"compose"}\n');
    assert.equal(run(image), 'hello from compose\nthe app\n');
    assert.equal(run(image, 'cat', '/hosts', '/net'), '10.9.8.7\tcache\nlo\n');
  });
});
