import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { configAlert, formatAlert, safeSubject, type AlertContext } from '../../lambda/watchdog/src/alerts.js';
import { ConfigError, readConfig } from '../../lambda/watchdog/src/config.js';
import { CONDITIONS, decide, EMPTY_MEMORY, type AlertEvent, type Observation, type Outcome } from '../../lambda/watchdog/src/decide.js';
import { createConfigErrorHandler } from '../../lambda/watchdog/src/handler.js';

const subjects = suite('safeSubject: what SNS accepts');

subjects('keeps a plain subject as it is', () => {
  assert.is(safeSubject('[watchdog] Failover'), '[watchdog] Failover');
});

subjects('folds line breaks and runs of spaces into one space', () => {
  assert.is(safeSubject('one\ntwo\r\n  three\tfour'), 'one two three four');
});

subjects('drops accents and replaces any other non-ASCII character', () => {
  assert.is(safeSubject('Portable éteint ⚠ ok'), 'Portable eteint ? ok');
});

subjects('cuts a long subject to 100 characters with an ellipsis', () => {
  const cut = safeSubject('x'.repeat(150));
  assert.is(cut.length, 100);
  assert.ok(cut.endsWith('...'));
});

subjects.run();

const NOW = Date.parse('2026-12-04T12:00:00Z');
const longId = 'i-0123456789abcdef0';

function context(observation: Observation, outcome: Outcome): AlertContext {
  return {
    instanceId: longId,
    healthcheckUrl: 'https://a-rather-long-laptop-name.tail1234.ts.net/health',
    observation,
    decision: decide(observation, EMPTY_MEMORY, NOW, { failbackAfterMs: 600_000, stuckAfterMs: 900_000 }),
    outcome,
    now: NOW,
    dryRun: false,
    failbackAfterMs: 600_000,
    stuckAfterMs: 900_000,
  };
}

const down: Observation = {
  laptop: { status: 'down', probes: [{ ok: false, durationMs: 5000, cause: 'timeout' }, { ok: false, durationMs: 3, cause: 'connection', detail: 'ECONNREFUSED' }, { ok: false, durationMs: 40, status: 503, cause: 'http-status' }] },
  worker: { readable: true, state: 'stopped', hold: false },
  memoryWritable: undefined,
};
const failed: Outcome = { kind: 'failed', code: 'VcpuLimitExceededForThisVeryLongErrorCodeThatNobodyExpects', message: 'limit' };

const bodies = suite('formatAlert: every alert an owner can get');

const events = ([
  { kind: 'failover', phase: 'event' },
  { kind: 'failback', phase: 'event' },
  ...CONDITIONS.flatMap((kind) => [
    { kind, phase: 'opened' as const },
    { kind, phase: 'closed' as const },
  ]),
  // Dry-run hints end silently (see reconcile), so they have no closing email.
] satisfies AlertEvent[] as AlertEvent[]).filter((e) => !(e.phase === 'closed' && (e.kind === 'would-start' || e.kind === 'would-stop')));

bodies('gives every alert a subject SNS accepts: printable ASCII, one line, at most 100 characters', () => {
  for (const event of events) {
    const { subject } = formatAlert(event, context(down, failed));
    assert.ok(subject.length <= 100, `${event.kind}/${event.phase}: ${subject.length} characters`);
    assert.ok(/^[\x20-\x7e]+$/.test(subject), `${event.kind}/${event.phase}: ${subject}`);
    assert.ok(subject.startsWith('[watchdog] '), subject);
  }
});

bodies('gives every alert a distinct subject, so an inbox tells them apart', () => {
  const all = events.map((e) => formatAlert(e, context(down, failed)).subject);
  assert.is(new Set(all).size, all.length);
});

bodies('says what happened, the evidence and what the watchdog did', () => {
  const started: Outcome = { kind: 'done', change: { previousState: 'stopped', currentState: 'pending', attempts: 1 } };
  const { message } = formatAlert({ kind: 'failover', phase: 'event' }, context(down, started));
  assert.match(message, /started the standby EC2 worker/);
  assert.match(message, /probe 1: timed out after 5000 ms/);
  assert.match(message, /probe 2: connection failed \(ECONNREFUSED\)/);
  assert.match(message, /probe 3: HTTP 503 in 40 ms/);
  assert.match(message, /EC2 worker i-0123456789abcdef0: stopped/);
  assert.match(message, /start requested \(stopped -> pending\)/);
  assert.match(message, /Time: 2026-12-04T12:00:00.000Z/);
});

bodies('names the AWS error when the EC2 state cannot be read', () => {
  const blind: Observation = { ...down, worker: { readable: false, error: { code: 'UnauthorizedOperation', message: 'not allowed' } } };
  const { subject, message } = formatAlert({ kind: 'ec2-unreadable', phase: 'opened' }, context(blind, { kind: 'none' }));
  assert.is(subject, `[watchdog] Cannot read worker ${longId}: UnauthorizedOperation`);
  assert.match(message, /state unreadable \(UnauthorizedOperation: not allowed\)/);
});

bodies.run();

const broken = suite('a broken configuration');

function brokenConfig(): ConfigError {
  try {
    readConfig({ WORKER_INSTANCE_ID: 'worker', HEALTHCHECK_URL: 'http://laptop.example/health' });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

broken('names every bad variable in the alert', () => {
  const alert = configAlert(brokenConfig());
  assert.is(alert.subject, '[watchdog] Configuration broken (WORKER_INSTANCE_ID, HEALTHCHECK_URL): no failover possible');
  assert.match(alert.message, /- WORKER_INSTANCE_ID is "worker": expected an EC2 instance id/);
});

broken('alerts once per container and fails every invocation with the clear message', async () => {
  const sent: string[] = [];
  const logs: string[] = [];
  const handler = createConfigErrorHandler(brokenConfig(), async (a) => (sent.push(a.subject), 'sent'), (_level, message) => void logs.push(message));
  for (let i = 0; i < 3; i += 1) {
    try {
      await handler();
      assert.unreachable('a broken configuration must fail the invocation');
    } catch (error) {
      assert.is((error as Error).name, 'ConfigError');
      assert.match((error as Error).message, /WORKER_INSTANCE_ID is "worker"/);
    }
  }
  assert.is(sent.length, 1);
  assert.equal(logs, ['configuration broken', 'configuration broken', 'configuration broken']);
});

broken.run();
