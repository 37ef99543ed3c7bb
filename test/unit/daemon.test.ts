// Pure pieces of berthd: routing, config merging, names, signals, detach keys, log timestamps.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { describe, test } from 'node:test';
import { parseDetachKeys, frame } from '../../src/daemon/services/attach.js';
import { generateName, mergeImageConfig, validateName } from '../../src/daemon/services/container-config.js';
import { formatRfc3339Nano, parseTimestamp } from '../../src/daemon/services/container-logs.js';
import { parseSignal } from '../../src/daemon/services/signals.js';
import { Router } from '../../src/daemon/server/router.js';

describe('router', () => {
  async function serve(router: Router, fn: (port: number) => Promise<void>): Promise<void> {
    const server = http.createServer((req, res) => void router.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await fn((server.address() as { port: number }).port);
    } finally {
      server.close();
    }
  }

  function get(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  test('image names with slashes and tags route by suffix; versions are checked', async () => {
    const router = new Router();
    router.on('GET', '/images/{name}/json', (ctx) => ctx.send(200, { route: 'json', name: ctx.param('name') }));
    router.on('GET', '/images/{name}/history', (ctx) => ctx.send(200, { route: 'history', name: ctx.param('name') }));
    router.on('GET', '/containers/:id/json', (ctx) => ctx.send(200, { id: ctx.param('id') }));
    await serve(router, async (port) => {
      assert.deepEqual(JSON.parse((await get(port, '/v1.41/images/localhost:5000/a/b:1.0/json')).body), { route: 'json', name: 'localhost:5000/a/b:1.0' });
      assert.deepEqual(JSON.parse((await get(port, '/images/busybox/history')).body), { route: 'history', name: 'busybox' });
      assert.deepEqual(JSON.parse((await get(port, '/v1.24/containers/abc/json')).body), { id: 'abc' });
      const tooNew = await get(port, '/v1.99/containers/abc/json');
      assert.equal(tooNew.status, 400);
      assert.match(JSON.parse(tooNew.body).message, /client version 1\.99 is too new\. Maximum supported API version is 1\.41/);
      const tooOld = await get(port, '/v1.12/containers/abc/json');
      assert.equal(tooOld.status, 400);
      const missing = await get(port, '/nothing/here');
      assert.deepEqual([missing.status, JSON.parse(missing.body)], [404, { message: 'page not found' }]);
    });
  });
});

describe('container config', () => {
  const image = { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/w', Labels: { a: '1' }, User: 'nobody' };

  test('the request wins; Env and Labels merge by key; the image Cmd only without Cmd or Entrypoint', () => {
    const merged = mergeImageConfig({ Env: ['A=mine', 'B=2'], Labels: { b: '2' } }, image, 'host');
    assert.deepEqual(merged.Env, ['PATH=/bin', 'A=mine', 'B=2']);
    assert.deepEqual(merged.Labels, { a: '1', b: '2' });
    assert.deepEqual(merged.Cmd, ['sh']);
    assert.equal(merged.WorkingDir, '/w');
    assert.equal(merged.User, 'nobody');
    assert.equal(merged.Hostname, 'host');
    assert.deepEqual(mergeImageConfig({ Entrypoint: ['echo'] }, image, 'h').Cmd, null);
    assert.deepEqual(mergeImageConfig({ Cmd: ['true'] }, image, 'h').Cmd, ['true']);
    const noEntrypoint = mergeImageConfig({ Entrypoint: [''], Cmd: ['ls'] }, { ...image, Entrypoint: ['x'] }, 'h');
    assert.deepEqual([noEntrypoint.Entrypoint, noEntrypoint.Cmd], [null, ['ls']]);
  });

  test('names follow Docker\'s rule and generated names are free', () => {
    assert.equal(validateName('web-1.a_b'), '/web-1.a_b');
    assert.throws(() => validateName('a b'), /Invalid container name \(a b\)/);
    assert.throws(() => validateName('-x'), /only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);
    const taken = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const name = generateName((n) => taken.has(n));
      assert.match(name, /^\/[a-z]+_[a-z]+\d?$/);
      assert.ok(!taken.has(name));
      taken.add(name);
    }
  });
});

describe('signals and detach keys', () => {
  test('Docker\'s signal forms', () => {
    assert.equal(parseSignal('SIGKILL'), 9);
    assert.equal(parseSignal('kill'), 9);
    assert.equal(parseSignal('TERM'), 15);
    assert.equal(parseSignal('10'), 10);
    assert.throws(() => parseSignal('NOPE'), /Invalid signal: NOPE/);
  });

  test('detach key syntax', () => {
    assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
    assert.deepEqual(parseDetachKeys('ctrl-@,a,ctrl-['), [0, 97, 27]);
    assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid detach keys/);
  });

  test('multiplexed frames carry the stream and a big-endian size', () => {
    assert.deepEqual([...frame(2, Buffer.from('hi'))], [2, 0, 0, 0, 0, 0, 0, 2, 104, 105]);
  });
});

describe('log timestamps', () => {
  test('conmon\'s local-offset stamps become Go\'s RFC3339Nano in UTC', () => {
    assert.deepEqual(parseTimestamp('2026-11-29T10:10:50.497725645+01:00'), {
      time: '2026-11-29T09:10:50.497725645Z',
      epochNs: BigInt(Date.parse('2026-11-29T09:10:50Z')) * 1_000_000n + 497_725_645n,
    });
    assert.equal(formatRfc3339Nano(BigInt(Date.parse('2026-01-02T03:04:05Z')) * 1_000_000n + 120_000_000n), '2026-01-02T03:04:05.12Z');
    assert.equal(formatRfc3339Nano(BigInt(Date.parse('2026-01-02T03:04:05Z')) * 1_000_000n), '2026-01-02T03:04:05Z');
  });
});
