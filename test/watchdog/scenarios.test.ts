// The handler driven over many ticks against the fake Funnel endpoint, EC2 and SNS.
import { http, HttpResponse } from 'msw';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { TAGS } from '../../lambda/watchdog/src/memory.js';
import { HEALTH_URL, INSTANCE_ID } from '../support/aws.js';
import { server, withMsw } from '../support/msw.js';
import { createWatchdog, MINUTE } from '../support/watchdog.js';

const healthy = withMsw(suite('a healthy laptop'));

healthy('leaves the stopped EC2 alone and says nothing', async () => {
  const w = createWatchdog();
  const summary = await w.tick();
  assert.is(summary.laptop_status, 'UP');
  assert.is(summary.ec2_state, 'stopped');
  assert.is(summary.action_taken, 'none_normal_state');
  assert.equal(w.fake.calls.map((c) => c.action), ['DescribeInstances']);
  assert.equal(w.subjects(), []);
});

healthy('reads the EC2 state while the probe is still in flight', async () => {
  const w = createWatchdog();
  // The laptop answers only once EC2 has been asked: run one after the other, this probe would time out.
  server.use(
    http.get(HEALTH_URL, async () => {
      for (let i = 0; i < 100 && w.fake.callsTo('DescribeInstances').length === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
      return w.fake.callsTo('DescribeInstances').length > 0 ? new HttpResponse('OK') : HttpResponse.error();
    }),
  );
  const summary = await w.tick();
  assert.equal(summary.probes.map((p) => p.ok), [true], 'the first probe must succeed, not a re-probe');
});

healthy('writes one JSON-ready decision log line per tick with the evidence', async () => {
  const w = createWatchdog();
  await w.ticks(2);
  const decisions = w.logs.filter((l) => l.message === 'decision');
  assert.is(decisions.length, 2);
  const line = decisions[0]!;
  assert.is(line.level, 'info');
  assert.is(line.laptop_status, 'UP');
  assert.is(line.ec2_state, 'stopped');
  assert.is(line.action_taken, 'none_normal_state');
  assert.equal((line.probes as Array<{ ok: boolean; status: number }>).map((p) => [p.ok, p.status]), [[true, 200]]);
  assert.type(line.duration_ms, 'number');
});

healthy.run();

const lostProbe = withMsw(suite('one lost probe'));

lostProbe('does not start the EC2 after one lost probe', async () => {
  const w = createWatchdog();
  w.laptop.then('down');
  const summary = await w.tick();
  assert.is(summary.action_taken, 'none_normal_state');
  assert.equal(summary.probes.map((p) => p.ok), [false, true]);
  assert.is(w.fake.callsTo('StartInstances').length, 0);
  assert.equal(w.subjects(), []);
});

lostProbe('does not start the EC2 when all but the last confirmation probe fail', async () => {
  const w = createWatchdog();
  w.laptop.then('down', 'hang');
  const summary = await w.tick();
  assert.equal(summary.probes.map((p) => p.cause ?? 'ok'), ['connection', 'timeout', 'ok']);
  assert.is(w.fake.callsTo('StartInstances').length, 0);
});

lostProbe.run();

const outage = withMsw(suite('a real outage'));

outage('fails over once and alerts once, with the evidence', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  const first = await w.tick();
  assert.is(first.laptop_status, 'DOWN');
  assert.is(first.action_taken, 'started_ec2');
  assert.is(first.probes.length, 3);
  const later = await w.ticks(5);
  assert.equal(
    later.map((s) => s.action_taken),
    ['none_failover_active', 'none_failover_active', 'none_failover_active', 'none_failover_active', 'none_failover_active'],
  );
  assert.is(w.fake.callsTo('StartInstances').length, 1);
  assert.is(w.fake.instance(INSTANCE_ID).state, 'running');
  assert.equal(w.subjects(), [`[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`]);
  const body = w.fake.published[0]!.message;
  assert.match(body, /DOWN \(3 of 3 probes failed\)/);
  assert.match(body, /probe 1: connection failed/);
  assert.match(body, /start requested \(stopped -> pending\)/);
});

outage('counts a 503 from the laptop (k3s down) as an outage', async () => {
  const w = createWatchdog();
  w.laptop.set('503');
  assert.is((await w.tick()).action_taken, 'started_ec2');
});

outage('counts a 200 from the wrong service as an outage when an expected body is set', async () => {
  const w = createWatchdog({ config: { expectedBody: 'OK' } });
  w.laptop.set('wrong-body');
  const summary = await w.tick();
  assert.is(summary.action_taken, 'started_ec2');
  assert.equal([...new Set(summary.probes.map((p) => p.cause))], ['body-mismatch']);
});

outage('does not re-probe while the EC2 already runs: one probe a tick', async () => {
  const w = createWatchdog({ state: 'running' });
  w.laptop.set('down');
  const summary = await w.tick();
  assert.is(summary.action_taken, 'none_failover_active');
  assert.is(summary.laptop_status, 'SUSPECT');
  assert.is(w.laptop.probes, 1);
});

outage('waits while the EC2 is stopping, then fails over', async () => {
  const w = createWatchdog({ state: 'stopping' });
  w.laptop.set('down');
  assert.is((await w.tick()).action_taken, 'waiting_transitional_state');
  assert.is((await w.tick()).action_taken, 'started_ec2');
});

outage.run();

const failback = withMsw(suite('failback'));

async function failedOver(w: ReturnType<typeof createWatchdog>) {
  w.laptop.set('down');
  await w.tick();
  await w.tick();
  w.laptop.set('up');
}

failback('waits until the laptop has been healthy for FAILBACK_AFTER_SECONDS, then stops the EC2 once', async () => {
  const w = createWatchdog({ config: { failbackAfterMs: 5 * MINUTE } });
  await failedOver(w);
  const actions = (await w.ticks(8)).map((s) => s.action_taken);
  assert.equal(actions, [
    'waiting_failback_hysteresis',
    'waiting_failback_hysteresis',
    'waiting_failback_hysteresis',
    'waiting_failback_hysteresis',
    'waiting_failback_hysteresis',
    'stopped_ec2',
    'none_normal_state',
    'none_normal_state',
  ]);
  assert.is(w.fake.callsTo('StopInstances').length, 1);
  assert.equal(w.subjects().slice(1), [`[watchdog] Failback: laptop back, stopping worker ${INSTANCE_ID}`]);
  assert.not.ok(TAGS.healthySince in w.fake.instance(INSTANCE_ID).tags, 'the failback clock is cleared once the worker stopped');
});

failback('remembers the failback clock across cold starts, in the worker tags', async () => {
  const w = createWatchdog({ config: { failbackAfterMs: 3 * MINUTE } });
  await failedOver(w);
  await w.tick();
  const since = w.fake.instance(INSTANCE_ID).tags[TAGS.healthySince];
  assert.ok(since, 'the first healthy tick is saved in a tag');
  const actions: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    w.coldStart();
    actions.push((await w.tick()).action_taken);
  }
  assert.equal(actions, ['waiting_failback_hysteresis', 'waiting_failback_hysteresis', 'stopped_ec2', 'none_normal_state']);
});

failback('does not flap the EC2 when the laptop flaps', async () => {
  const w = createWatchdog({ config: { failbackAfterMs: 5 * MINUTE } });
  await failedOver(w);
  for (let i = 0; i < 30; i += 1) {
    w.laptop.set(i % 3 === 2 ? 'down' : 'up');
    await w.tick();
  }
  assert.is(w.fake.callsTo('StopInstances').length, 0);
  assert.is(w.fake.callsTo('StartInstances').length, 1);
  assert.is(w.fake.published.length, 1, 'only the failover email');
});

failback.run();

const ec2Errors = withMsw(suite('EC2 API errors'));

ec2Errors('alerts once when the EC2 state cannot be read, and once when it can again', async () => {
  const w = createWatchdog();
  w.fake.failWith('DescribeInstances', 'UnauthorizedOperation');
  const blind = await w.ticks(3);
  assert.equal(blind.map((s) => [s.ec2_state, s.action_taken]), Array(3).fill(['unknown', 'ec2_state_unknown']));
  w.fake.clearFailures();
  await w.tick();
  assert.equal(w.subjects(), [`[watchdog] Cannot read worker ${INSTANCE_ID}: UnauthorizedOperation`, `[watchdog] Recovered: worker ${INSTANCE_ID} is readable again`]);
  assert.ok(w.logs.some((l) => l.level === 'error' && l.error_code === 'UnauthorizedOperation'));
});

ec2Errors('names a vanished worker (InvalidInstanceID.NotFound) in the alert', async () => {
  const w = createWatchdog();
  w.fake.failWith('DescribeInstances', 'InvalidInstanceID.NotFound');
  await w.tick();
  assert.equal(w.subjects(), [`[watchdog] Cannot read worker ${INSTANCE_ID}: InvalidInstanceID.NotFound`]);
});

ec2Errors('does not start anything while throttled (RequestLimitExceeded)', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('DescribeInstances', 'RequestLimitExceeded', 1);
  assert.is((await w.tick()).action_taken, 'ec2_state_unknown');
  assert.is(w.fake.callsTo('StartInstances').length, 0);
  assert.is((await w.tick()).action_taken, 'started_ec2');
});

ec2Errors('alerts once when the start fails, retries each tick, and then reports the failover alone', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'InsufficientInstanceCapacity', 3);
  const actions = (await w.ticks(4)).map((s) => s.action_taken);
  assert.equal(actions, ['start_ec2_failed', 'start_ec2_failed', 'start_ec2_failed', 'started_ec2']);
  assert.equal(w.subjects(), [
    `[watchdog] Failover FAILED: cannot start worker ${INSTANCE_ID} (InsufficientInstanceCapacity)`,
    `[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`,
  ]);
});

ec2Errors('logs IncorrectInstanceState from a race and does not alert', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'IncorrectInstanceState', 1);
  const summary = await w.tick();
  assert.is(summary.action_taken, 'start_skipped_state_changed');
  assert.equal(w.subjects(), []);
  assert.ok(w.logs.some((l) => l.level === 'warn' && l.error_code === 'IncorrectInstanceState'));
});

ec2Errors('alerts once when the stop fails: the EC2 keeps costing money', async () => {
  const w = createWatchdog({ state: 'running', config: { failbackAfterMs: 0 } });
  w.fake.failWith('StopInstances', 'UnauthorizedOperation');
  await w.ticks(3);
  assert.equal(w.subjects(), [`[watchdog] Cannot stop worker ${INSTANCE_ID} (UnauthorizedOperation): it keeps running`]);
});

ec2Errors('keeps its memory in the container when the tags cannot be written, says so once, and sends no storm', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'InsufficientInstanceCapacity');
  w.fake.failWith('CreateTags', 'UnauthorizedOperation');
  await w.ticks(5);
  assert.equal(w.subjects(), [
    `[watchdog] Failover FAILED: cannot start worker ${INSTANCE_ID} (InsufficientInstanceCapacity)`,
    `[watchdog] Cannot save watchdog memory in the tags of worker ${INSTANCE_ID}`,
  ]);
  assert.ok(w.logs.some((l) => l.message === 'cannot save the watchdog memory in the worker tags' && l.error_code === 'UnauthorizedOperation'));
  w.fake.clearFailures();
  await w.ticks(2);
  assert.equal(w.subjects().slice(2), [
    `[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`,
    `[watchdog] Recovered: the watchdog can save its memory on worker ${INSTANCE_ID} again`,
  ]);
});

ec2Errors('reports a start whose answer came too late, but which EC2 carried out, as the failover it was', async () => {
  const w = createWatchdog({ apiTimeoutMs: 100 });
  w.laptop.set('down');
  w.fake.setLatency('StartInstances', 300);
  assert.is((await w.tick()).action_taken, 'start_ec2_failed');
  await new Promise((resolve) => setTimeout(resolve, 400)); // EC2 acts after our deadline
  w.fake.setLatency('StartInstances', 0);
  assert.is((await w.tick()).ec2_state, 'pending');
  assert.equal(w.subjects(), [
    `[watchdog] Failover FAILED: cannot start worker ${INSTANCE_ID} (Timeout)`,
    `[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`,
  ]);
});

ec2Errors('sends the failover email when the SDK had to retry a start whose first answer was lost', async () => {
  const w = createWatchdog({ maxAttempts: 2 });
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'InternalError', 1, { afterActing: true });
  const summary = await w.tick();
  assert.is(w.fake.callsTo('StartInstances').length, 2, 'the SDK retried');
  assert.is(summary.action_taken, 'started_ec2');
  assert.equal(w.subjects(), [`[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`]);
});

ec2Errors('tells once that the worker is stuck stopping while the laptop is down', async () => {
  const w = createWatchdog({ state: 'running', transitionMs: 60 * MINUTE });
  w.fake.setState(INSTANCE_ID, 'stopping');
  w.laptop.set('down');
  const actions = (await w.ticks(20)).map((s) => s.action_taken);
  assert.equal([...new Set(actions)], ['waiting_transitional_state']);
  assert.equal(w.subjects(), [`[watchdog] Worker ${INSTANCE_ID} stuck stopping for 15 min`]);
});

ec2Errors('tells once that a terminated worker makes failover impossible', async () => {
  const w = createWatchdog({ state: 'terminated' });
  w.laptop.set('down');
  await w.ticks(3);
  assert.equal(w.subjects(), [`[watchdog] Worker ${INSTANCE_ID} is terminated: no failover possible`]);
});

ec2Errors.run();

const snsErrors = withMsw(suite('SNS errors'));

snsErrors('fails over even when the alert cannot be published, logs why, then fails the invocation for the error alarm', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('Publish', 'AuthorizationError');
  try {
    await w.tick();
    assert.unreachable('a tick whose alert was lost must fail');
  } catch (error) {
    assert.is((error as Error).name, 'AlertDeliveryError');
    assert.match((error as Error).message, /Failover: laptop down/);
  }
  assert.is(w.fake.instance(INSTANCE_ID).state, 'running');
  const failure = w.logs.find((l) => l.message === 'alert publish failed');
  assert.ok(failure, 'the failed publish is logged');
  // The SDK names SNS's AuthorizationError code after its modelled exception.
  assert.is(failure!.error_code, 'AuthorizationErrorException');
  const decision = w.logs.find((l) => l.message === 'decision');
  assert.equal([decision?.action_taken, decision?.alerts_failed], ['started_ec2', [`[watchdog] Failover: laptop down, starting worker ${INSTANCE_ID}`]]);
});

snsErrors('sends a problem alert again on the next tick when SNS refused it', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'InsufficientInstanceCapacity');
  w.fake.failWith('Publish', 'InternalError', 1);
  await w.tick().catch(() => undefined);
  await w.ticks(2);
  assert.equal(w.subjects(), [`[watchdog] Failover FAILED: cannot start worker ${INSTANCE_ID} (InsufficientInstanceCapacity)`]);
  assert.is(w.fake.callsTo('Publish').length, 2, 'one refused, one delivered, then quiet');
});

snsErrors('only logs alerts when no topic is configured', async () => {
  const w = createWatchdog({ alertTopic: undefined });
  w.laptop.set('down');
  await w.tick();
  assert.is(w.fake.callsTo('Publish').length, 0);
  const logged = w.logs.find((l) => l.alert_kind === 'failover');
  assert.ok(logged, 'the alert is in the logs');
  assert.is(logged!.level, 'warn');
});

snsErrors.run();

const twice = withMsw(suite('running twice at once'));

twice('two concurrent invocations start the EC2 once and send one alert', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  const a = w.twin();
  const b = w.twin();
  const results = await Promise.all([a(), b()]);
  assert.equal(results.map((r) => r.action_taken).sort(), ['start_already_in_progress', 'started_ec2']);
  assert.is(w.fake.published.length, 1);
  assert.is(w.fake.instance(INSTANCE_ID).state, 'pending');
});

twice.run();

const coldStart = withMsw(suite('a cold start that cannot read EC2 at first'));

coldStart('does not repeat an alert the tags say was sent', async () => {
  const w = createWatchdog({ tags: { [TAGS.hold]: 'true' } });
  w.laptop.set('down');
  await w.tick();
  w.coldStart();
  w.fake.failWith('DescribeInstances', 'RequestLimitExceeded', 1);
  await w.ticks(2);
  assert.equal(w.subjects(), [
    `[watchdog] Hold tag blocks failover: laptop down, worker ${INSTANCE_ID} stays stopped`,
    `[watchdog] Cannot read worker ${INSTANCE_ID}: RequestLimitExceeded`,
    `[watchdog] Recovered: worker ${INSTANCE_ID} is readable again`,
  ]);
});

coldStart('still sends the recovery of a problem the tags say is open', async () => {
  const w = createWatchdog();
  w.laptop.set('down');
  w.fake.failWith('StartInstances', 'InsufficientInstanceCapacity');
  await w.tick();
  w.coldStart();
  w.laptop.set('up');
  w.fake.failWith('DescribeInstances', 'RequestLimitExceeded', 1);
  await w.ticks(2);
  assert.ok(w.subjects().includes(`[watchdog] Recovered: starting worker ${INSTANCE_ID} no longer needed`), w.subjects().join('\n'));
  assert.not.ok(TAGS.openConditions in w.fake.instance(INSTANCE_ID).tags, 'nothing left open');
});

coldStart('keeps the failback clock of the tags while the laptop stayed up', async () => {
  const w = createWatchdog({ state: 'running', config: { failbackAfterMs: 5 * MINUTE } });
  await w.ticks(3);
  w.coldStart();
  w.fake.failWith('DescribeInstances', 'RequestLimitExceeded', 1);
  const actions = (await w.ticks(3)).map((s) => s.action_taken);
  // Healthy since the first tick: the stop comes 5 minutes after it, blind tick or not.
  assert.equal(actions, ['ec2_state_unknown', 'waiting_failback_hysteresis', 'stopped_ec2']);
});

coldStart('restarts the failback clock when the laptop failed while EC2 was unreadable', async () => {
  const w = createWatchdog({ state: 'running', config: { failbackAfterMs: 5 * MINUTE } });
  await w.ticks(4);
  w.coldStart();
  w.fake.failWith('DescribeInstances', 'RequestLimitExceeded', 1);
  w.laptop.then('down');
  const actions = (await w.ticks(3)).map((s) => s.action_taken);
  assert.equal(actions, ['ec2_state_unknown', 'waiting_failback_hysteresis', 'waiting_failback_hysteresis']);
});

coldStart.run();

const hold = withMsw(suite('the hold tag'));

hold('observes but never starts the EC2, and says so once', async () => {
  const w = createWatchdog({ tags: { [TAGS.hold]: 'true' } });
  w.laptop.set('down');
  const actions = (await w.ticks(3)).map((s) => s.action_taken);
  assert.equal(actions, ['held', 'held', 'held']);
  assert.is(w.fake.callsTo('StartInstances').length, 0);
  assert.equal(w.subjects(), [`[watchdog] Hold tag blocks failover: laptop down, worker ${INSTANCE_ID} stays stopped`]);
});

hold('never stops a running EC2 while held', async () => {
  const w = createWatchdog({ state: 'running', tags: { [TAGS.hold]: 'yes' }, config: { failbackAfterMs: 0 } });
  await w.ticks(2);
  assert.is(w.fake.callsTo('StopInstances').length, 0);
});

hold('acts again once the tag is removed', async () => {
  const w = createWatchdog({ tags: { [TAGS.hold]: 'true' } });
  w.laptop.set('down');
  await w.tick();
  delete w.fake.instance(INSTANCE_ID).tags[TAGS.hold];
  assert.is((await w.tick()).action_taken, 'started_ec2');
});

hold('treats watchdog:hold=false as no hold', async () => {
  const w = createWatchdog({ tags: { [TAGS.hold]: 'false' } });
  w.laptop.set('down');
  assert.is((await w.tick()).action_taken, 'started_ec2');
});

hold.run();

const dryRun = withMsw(suite('DRY_RUN'));

dryRun('decides, logs and alerts "would start" once, without touching the EC2 or its tags', async () => {
  const w = createWatchdog({ config: { dryRun: true } });
  w.laptop.set('down');
  const actions = (await w.ticks(3)).map((s) => s.action_taken);
  assert.equal(actions, ['would_start_ec2', 'would_start_ec2', 'would_start_ec2']);
  assert.equal([...new Set(w.fake.calls.map((c) => c.action))].sort(), ['DescribeInstances', 'Publish']);
  assert.equal(w.subjects(), [`[watchdog] [dry run] Would start worker ${INSTANCE_ID}: laptop down`]);
});

dryRun('says "would stop" when the laptop is back and the EC2 runs', async () => {
  const w = createWatchdog({ state: 'running', config: { dryRun: true, failbackAfterMs: 0 } });
  assert.is((await w.tick()).action_taken, 'would_stop_ec2');
  assert.is(w.fake.callsTo('StopInstances').length, 0);
});

dryRun.run();
