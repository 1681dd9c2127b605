// The built server (laptop/dist/healthcheck.mjs) as systemd runs it: settings from the environment,
// a fake systemctl first on PATH, real requests over loopback, and its exit codes.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { BUNDLE, fakeBin, request, sleep, startBundle, until, type FakeBin, type Running } from './support.js';

const base = (fake: FakeBin): NodeJS.ProcessEnv => ({ PATH: fake.path, HEALTHCHECK_INTERVAL_SECONDS: '0.1', HEALTHCHECK_CHECK_TIMEOUT_SECONDS: '0.5' });

/** Polls /health until it gives this answer, for at most 3 s. */
async function statusBecomes(port: number, status: number, body: string): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const answer = await request(port);
    if (answer.status === status && answer.body === body) return true;
    await sleep(50);
  }
  return false;
}

const life = suite('bundle: a running server');
let fake: FakeBin;
let running: Running | undefined;
life.before.each(() => {
  fake = fakeBin();
});
life.after.each(async () => {
  await running?.stop();
  running = undefined;
  fake.cleanup();
});

life('answers 200 OK while k3s is active and 503 "k3s inactive" once it stops', async () => {
  running = await startBundle(base(fake));
  assert.ok(await statusBecomes(running.port, 200, 'OK'), 'healthy');
  fake.set('inactive');
  assert.ok(await statusBecomes(running.port, 503, 'k3s inactive'), 'unhealthy');
  fake.set('active');
  assert.ok(await statusBecomes(running.port, 200, 'OK'), 'healthy again');
});

life('answers 503 "<name> not ready" from a HEALTHCHECK_READY_<NAME> command', async () => {
  const bot = fake.command('bot-ready');
  bot.set(1);
  running = await startBundle({ ...base(fake), HEALTHCHECK_READY_BOT: bot.path });
  assert.ok(await statusBecomes(running.port, 503, 'bot not ready'));
  bot.set(0);
  assert.ok(await statusBecomes(running.port, 200, 'OK'));
});

life('logs each change of health once, with the detail kept off the wire', async () => {
  running = await startBundle(base(fake));
  assert.ok(await statusBecomes(running.port, 200, 'OK'));
  fake.set('inactive');
  assert.ok(await statusBecomes(running.port, 503, 'k3s inactive'));
  await sleep(300);
  const log = running.output();
  assert.is(log.match(/healthcheck: healthy/g)?.length, 1);
  assert.is(log.match(/unhealthy: k3s inactive \(systemctl is-active: exit 3: inactive\)/g)?.length, 1);
});

life('stops on SIGTERM with exit code 0 and frees its port', async () => {
  running = await startBundle(base(fake));
  const { port } = running;
  assert.is(await running.stop(), 0);
  const refused = await new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => resolve(socket.destroy() && false));
    socket.on('error', () => resolve(true));
  });
  assert.ok(refused, 'nothing listens any more');
});

life('stops on SIGTERM while a check hangs', async () => {
  fake.set('hang');
  running = await startBundle({ ...base(fake), HEALTHCHECK_CHECK_TIMEOUT_SECONDS: '60', HEALTHCHECK_STALE_AFTER_SECONDS: '120' });
  assert.ok(await until(() => fake.pid('hung.pid') !== undefined, 3000));
  assert.is(await running.stop(), 0);
});

life.run();

const start = suite('bundle: refusing to start');

start('exits 2 naming each bad setting, without a stack trace', () => {
  const result = spawnSync(process.execPath, [BUNDLE, '--nope'], { env: { PATH: '/usr/bin:/bin', HEALTHCHECK_PORT: 'eighty' }, encoding: 'utf8', timeout: 10_000 });
  assert.is(result.status, 2);
  assert.match(result.stderr, /HEALTHCHECK_PORT is "eighty"/);
  assert.match(result.stderr, /--nope/);
  assert.not.match(result.stderr, /\n\s+at /);
});

start('prints its usage for --help and exits 0', () => {
  const result = spawnSync(process.execPath, [BUNDLE, '--help'], { encoding: 'utf8', timeout: 10_000 });
  assert.is(result.status, 0);
  assert.match(result.stdout, /HEALTHCHECK_READY_<NAME>/);
});

start('exits 1 when its port is taken', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const result = spawnSync(process.execPath, [BUNDLE, '--port', String(port)], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 10_000 });
    assert.is(result.status, 1);
    assert.match(result.stderr, /EADDRINUSE/);
  } finally {
    taken.close();
  }
});

start.run();
