// The background checks with a fake systemctl first on PATH: what each answer means, timeouts that
// kill the whole process group, and a last result that goes stale when nothing refreshes it.
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { commandCheck, HealthMonitor, unitCheck, type Check, type Clock, type Status } from '../../laptop/src/checks.js';
import { runBounded } from '../../laptop/src/run.js';
import { fakeBin, processGone, sleep, until, type FakeBin } from './support.js';

const TIMEOUT_MS = 300;

function monitorFor(fake: FakeBin, checks: Check[], extra: { clock?: Clock; onChange?: (status: Status) => void } = {}) {
  return new HealthMonitor(checks, { intervalMs: 50, checkTimeoutMs: TIMEOUT_MS, staleAfterMs: 5000, env: { PATH: fake.path }, ...extra });
}

/** Runs the checks once through a monitor and returns the status a request would see. */
async function statusAfterOneRound(fake: FakeBin, checks: Check[]): Promise<Status> {
  const monitor = monitorFor(fake, checks);
  monitor.start();
  try {
    await until(() => monitor.status().ok || (monitor.status() as { reason: string }).reason !== 'starting', 3000);
    return monitor.status();
  } finally {
    await monitor.stop();
  }
}

const unit = suite('checks: systemctl is-active k3s');
let fake: FakeBin;
unit.before.each(() => {
  fake = fakeBin();
});
unit.after.each(() => fake.cleanup());

unit('is healthy when systemctl says active', async () => {
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s')]), { ok: true });
});

unit('says "k3s inactive" when systemctl says inactive', async () => {
  fake.set('inactive');
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s')]), { ok: false, reason: 'k3s inactive' });
});

unit('is not fooled by an exit 0 whose answer is not "active"', async () => {
  fake.set('garbage');
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s')]), { ok: false, reason: 'k3s inactive' });
});

unit('names the unit without its .service suffix', async () => {
  fake.set('inactive');
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s-agent.service')]), { ok: false, reason: 'k3s-agent inactive' });
});

unit('says "k3s check timed out" when systemctl hangs, and kills it and what it started', async () => {
  fake.set('hang');
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s')]), { ok: false, reason: 'k3s check timed out' });
  const hung = fake.pid('hung.pid');
  const grandchild = fake.pid('grandchild.pid');
  assert.ok(hung !== undefined && grandchild !== undefined, 'the fake wrote its pids');
  assert.ok(await until(() => processGone(hung) && processGone(grandchild), 2000), 'the hung check and its child are gone');
});

unit('says "k3s check could not run" when systemctl is missing', async () => {
  const empty = { ...fake, path: `${fake.dir}/nothing-here` };
  assert.equal(await statusAfterOneRound(empty, [unitCheck('k3s')]), { ok: false, reason: 'k3s check could not run' });
});

unit.run();

const readiness = suite('checks: readiness commands');
readiness.before.each(() => {
  fake = fakeBin();
});
readiness.after.each(() => fake.cleanup());

readiness('is healthy when k3s is active and every readiness command exits 0', async () => {
  const bot = fake.command('bot-ready');
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s'), commandCheck({ name: 'bot', command: bot.path })]), { ok: true });
});

readiness('says "<name> not ready" when a readiness command exits non-zero', async () => {
  const bot = fake.command('bot-ready');
  bot.set(1);
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s'), commandCheck({ name: 'bot', command: bot.path })]), { ok: false, reason: 'bot not ready' });
});

readiness('reports the unit before a readiness command when both fail', async () => {
  fake.set('inactive');
  const bot = fake.command('bot-ready');
  bot.set(1);
  assert.equal(await statusAfterOneRound(fake, [unitCheck('k3s'), commandCheck({ name: 'bot', command: bot.path })]), { ok: false, reason: 'k3s inactive' });
});

readiness('says "<name> check timed out" for a readiness command that hangs', async () => {
  assert.equal(await statusAfterOneRound(fake, [commandCheck({ name: 'bot', command: 'sleep 30' })]), { ok: false, reason: 'bot check timed out' });
});

readiness('runs the command with the shell, so pipes and && work', async () => {
  assert.equal(await statusAfterOneRound(fake, [commandCheck({ name: 'bot', command: 'true && echo ready | grep -q ready' })]), { ok: true });
  assert.equal(await statusAfterOneRound(fake, [commandCheck({ name: 'bot', command: 'true && echo nope | grep -q ready' })]), { ok: false, reason: 'bot not ready' });
});

readiness.run();

const freshness = suite('checks: the result the server reads');
freshness.before.each(() => {
  fake = fakeBin();
});
freshness.after.each(() => fake.cleanup());

freshness('says "starting" before the first round has finished', async () => {
  fake.set('hang');
  const monitor = monitorFor(fake, [unitCheck('k3s')]);
  monitor.start();
  assert.equal(monitor.status(), { ok: false, reason: 'starting' });
  await monitor.stop();
});

/** A clock the test moves; both readings move together unless told otherwise. */
function manualClock() {
  let wall = 1_000_000;
  let mono = 5_000;
  return {
    clock: { wall: () => wall, mono: () => mono } satisfies Clock,
    advance(ms: number, which: 'both' | 'wall' | 'mono' = 'both') {
      if (which !== 'mono') wall += ms;
      if (which !== 'wall') mono += ms;
    },
  };
}

freshness('says "result stale" when no round has finished for longer than the stale time', async () => {
  const time = manualClock();
  const monitor = monitorFor(fake, [unitCheck('k3s')], { clock: time.clock });
  monitor.start();
  assert.ok(await until(() => monitor.status().ok, 3000), 'healthy first');
  // A stuck checker: the loop is stopped, so the last healthy result is never refreshed.
  await monitor.stop();
  time.advance(5000);
  assert.equal(monitor.status(), { ok: true }, 'exactly the stale time is still fresh');
  time.advance(1);
  assert.equal(monitor.status(), { ok: false, reason: 'result stale' });
});

freshness('goes stale across a suspend, when only the wall clock moved', async () => {
  const time = manualClock();
  const monitor = monitorFor(fake, [unitCheck('k3s')], { clock: time.clock });
  monitor.start();
  assert.ok(await until(() => monitor.status().ok, 3000));
  await monitor.stop();
  time.advance(60_000, 'wall');
  assert.equal(monitor.status(), { ok: false, reason: 'result stale' });
});

freshness('stays fresh when the wall clock is set back, and goes stale on monotonic time', async () => {
  const time = manualClock();
  const monitor = monitorFor(fake, [unitCheck('k3s')], { clock: time.clock });
  monitor.start();
  assert.ok(await until(() => monitor.status().ok, 3000));
  await monitor.stop();
  time.advance(-3_600_000, 'wall');
  assert.equal(monitor.status(), { ok: true });
  time.advance(5001, 'mono');
  assert.equal(monitor.status(), { ok: false, reason: 'result stale' });
});

freshness('follows k3s going down and coming back, telling each change once', async () => {
  const changes: Status[] = [];
  const monitor = monitorFor(fake, [unitCheck('k3s')], { onChange: (status) => changes.push(status) });
  monitor.start();
  try {
    assert.ok(await until(() => monitor.status().ok, 3000));
    fake.set('inactive');
    assert.ok(await until(() => !monitor.status().ok, 3000));
    fake.set('active');
    assert.ok(await until(() => monitor.status().ok, 3000));
    const calls = fake.calls();
    assert.ok(await until(() => fake.calls() >= calls + 3, 3000), 'more rounds ran');
  } finally {
    await monitor.stop();
  }
  assert.equal(changes, [{ ok: true }, { ok: false, reason: 'k3s inactive' }, { ok: true }]);
});

freshness('runs no more checks once stopped', async () => {
  const monitor = monitorFor(fake, [unitCheck('k3s')]);
  monitor.start();
  assert.ok(await until(() => fake.calls() >= 2, 3000));
  await monitor.stop();
  const calls = fake.calls();
  await sleep(200);
  assert.is(fake.calls(), calls);
});

freshness.run();

const run = suite('run: one bounded command');

run('returns the exit code and output of a command that finishes', async () => {
  const result = await runBounded('/bin/sh', ['-c', 'echo hi; exit 3'], { timeoutMs: 2000 });
  assert.equal(result, { kind: 'exited', code: 3, signal: null, stdout: 'hi\n', stderr: '' });
});

run('keeps at most 1 KiB of output from a chatty command', async () => {
  const result = await runBounded('/bin/sh', ['-c', 'head -c 100000 /dev/zero | tr "\\0" x'], { timeoutMs: 2000 });
  assert.is(result.kind, 'exited');
  if (result.kind === 'exited') assert.is(result.stdout.length, 1024);
});

run('kills a command left running after its parent exited, so the check ends', async () => {
  const started = Date.now();
  const result = await runBounded('/bin/sh', ['-c', 'sleep 30 & exit 0'], { timeoutMs: 5000 });
  assert.is(result.kind, 'exited');
  assert.ok(Date.now() - started < 4000, 'did not wait for the background sleep');
});

run('answers "aborted" at once when stopped', async () => {
  const controller = new AbortController();
  const pending = runBounded('/bin/sh', ['-c', 'sleep 30'], { timeoutMs: 10_000, signal: controller.signal });
  controller.abort();
  assert.equal(await pending, { kind: 'aborted' });
});

run.run();
