import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { ConfigError, readConfig, worstCaseProbeMs, type Env } from '../../lambda/watchdog/src/config.js';

const valid: Env = { WORKER_INSTANCE_ID: 'i-0123456789abcdef0', HEALTHCHECK_URL: 'https://laptop.tail1234.ts.net/health' };

function problemsOf(env: Env): readonly string[] {
  try {
    readConfig(env);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as ConfigError).problems;
  }
  assert.unreachable('readConfig accepted a bad environment');
  return [];
}

const defaults = suite('config: defaults');

defaults('needs only the instance id and the healthcheck URL, with documented defaults for the rest', () => {
  const config = readConfig(valid);
  assert.equal(
    {
      id: config.workerInstanceId,
      url: config.healthcheckUrl.href,
      topic: config.alertTopicArn,
      body: config.expectedBody,
      timeout: config.probeTimeoutMs,
      attempts: config.probeAttempts,
      delay: config.probeRetryDelayMs,
      failback: config.failbackAfterMs,
      stuck: config.stuckAfterMs,
      api: config.apiTimeoutMs,
      dryRun: config.dryRun,
    },
    {
      id: 'i-0123456789abcdef0',
      url: 'https://laptop.tail1234.ts.net/health',
      topic: undefined,
      body: undefined,
      timeout: 5000,
      attempts: 3,
      delay: 5000,
      failback: 600_000,
      stuck: 900_000,
      api: 5000,
      dryRun: false,
    },
  );
});

defaults('reads every setting when given, decimals of seconds included', () => {
  const config = readConfig({
    ...valid,
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-3:123456789012:watchdog-alerts',
    EXPECTED_BODY: 'OK',
    PROBE_TIMEOUT_SECONDS: '2.5',
    PROBE_ATTEMPTS: '4',
    PROBE_RETRY_DELAY_SECONDS: '0',
    FAILBACK_AFTER_SECONDS: '900',
    API_TIMEOUT_SECONDS: '3',
    DRY_RUN: 'true',
  });
  assert.is(config.alertTopicArn, 'arn:aws:sns:eu-west-3:123456789012:watchdog-alerts');
  assert.is(config.expectedBody, 'OK');
  assert.is(config.probeTimeoutMs, 2500);
  assert.is(config.probeAttempts, 4);
  assert.is(config.probeRetryDelayMs, 0);
  assert.is(config.failbackAfterMs, 900_000);
  assert.is(config.apiTimeoutMs, 3000);
  assert.is(config.dryRun, true);
});

defaults('treats an empty optional variable as unset, as Terraform passes them', () => {
  const config = readConfig({ ...valid, ALERT_TOPIC_ARN: '', EXPECTED_BODY: '', DRY_RUN: '' });
  assert.is(config.alertTopicArn, undefined);
  assert.is(config.expectedBody, undefined);
  assert.is(config.dryRun, false);
});

defaults('keeps the spaces of an expected body, which are part of the text to find', () => {
  assert.is(readConfig({ ...valid, EXPECTED_BODY: ' OK ' }).expectedBody, ' OK ');
  assert.is(readConfig({ ...valid, EXPECTED_BODY: '   ' }).expectedBody, '   ');
});

defaults('accepts plain http only for a healthcheck on this machine', () => {
  assert.is(readConfig({ ...valid, HEALTHCHECK_URL: 'http://127.0.0.1:8080/health' }).healthcheckUrl.port, '8080');
  assert.ok(problemsOf({ ...valid, HEALTHCHECK_URL: 'http://laptop.tail1234.ts.net/health' })[0]?.startsWith('HEALTHCHECK_URL is'));
});

defaults('computes the worst-case confirmation time the Lambda timeout must cover', () => {
  assert.is(worstCaseProbeMs(readConfig(valid)), 3 * 5000 + 2 * 5000);
});

defaults.run();

const errors = suite('config: one clear message per bad variable');

const cases: Array<[string, Env, string]> = [
  ['a missing instance id', { HEALTHCHECK_URL: valid.HEALTHCHECK_URL }, 'WORKER_INSTANCE_ID is missing: expected an EC2 instance id such as i-0123456789abcdef0'],
  ['a malformed instance id', { ...valid, WORKER_INSTANCE_ID: 'my-worker' }, 'WORKER_INSTANCE_ID is "my-worker": expected an EC2 instance id'],
  ['a missing URL', { WORKER_INSTANCE_ID: valid.WORKER_INSTANCE_ID }, 'HEALTHCHECK_URL is missing: expected'],
  ['a URL that is not a URL', { ...valid, HEALTHCHECK_URL: 'laptop.ts.net/health' }, 'HEALTHCHECK_URL is "laptop.ts.net/health": expected'],
  ['an ftp URL', { ...valid, HEALTHCHECK_URL: 'ftp://laptop.ts.net/health' }, 'HEALTHCHECK_URL is "ftp://laptop.ts.net/health"'],
  ['credentials in the URL', { ...valid, HEALTHCHECK_URL: 'https://me:pw@laptop.ts.net/health' }, 'HEALTHCHECK_URL is'],
  ['a bad topic ARN', { ...valid, ALERT_TOPIC_ARN: 'watchdog-alerts' }, 'ALERT_TOPIC_ARN is "watchdog-alerts": expected an SNS topic ARN'],
  ['a negative timeout', { ...valid, PROBE_TIMEOUT_SECONDS: '-1' }, 'PROBE_TIMEOUT_SECONDS is "-1": expected a number of seconds from 0.1 to 60 (default 5)'],
  ['a zero timeout', { ...valid, PROBE_TIMEOUT_SECONDS: '0' }, 'PROBE_TIMEOUT_SECONDS is "0": expected a number of seconds from 0.1 to 60'],
  ['a timeout too small to let a healthy probe through', { ...valid, PROBE_TIMEOUT_SECONDS: '0.0004' }, 'PROBE_TIMEOUT_SECONDS is "0.0004": expected a number of seconds from 0.1'],
  ['an API deadline that rounds to nothing', { ...valid, API_TIMEOUT_SECONDS: '0.0001' }, 'API_TIMEOUT_SECONDS is "0.0001": expected a number of seconds from 0.1 to 30'],
  ['a stuck threshold under a minute', { ...valid, STUCK_AFTER_SECONDS: '30' }, 'STUCK_AFTER_SECONDS is "30": expected a number of seconds from 60 to 86400 (default 900)'],
  ['a timeout with a unit', { ...valid, PROBE_TIMEOUT_SECONDS: '5s' }, 'PROBE_TIMEOUT_SECONDS is "5s"'],
  ['zero attempts', { ...valid, PROBE_ATTEMPTS: '0' }, 'PROBE_ATTEMPTS is "0": expected a whole number from 1 to 10 (default 3)'],
  ['fractional attempts', { ...valid, PROBE_ATTEMPTS: '2.5' }, 'PROBE_ATTEMPTS is "2.5": expected a whole number'],
  ['a retry delay over a minute', { ...valid, PROBE_RETRY_DELAY_SECONDS: '61' }, 'PROBE_RETRY_DELAY_SECONDS is "61": expected a number of seconds from 0 to 60'],
  ['a negative failback time', { ...valid, FAILBACK_AFTER_SECONDS: '-5' }, 'FAILBACK_AFTER_SECONDS is "-5"'],
  ['an API timeout of zero', { ...valid, API_TIMEOUT_SECONDS: '0' }, 'API_TIMEOUT_SECONDS is "0"'],
  ['a DRY_RUN that is not a boolean', { ...valid, DRY_RUN: 'maybe' }, 'DRY_RUN is "maybe": expected true or false (default false)'],
  ['an expected body over 5120 bytes', { ...valid, EXPECTED_BODY: 'x'.repeat(5121) }, 'EXPECTED_BODY is'],
];

for (const [what, env, expected] of cases) {
  errors(`rejects ${what}, naming the variable and what was expected`, () => {
    const problems = problemsOf(env);
    assert.is(problems.length, 1, `one problem expected, got ${JSON.stringify(problems)}`);
    assert.ok(problems[0]!.startsWith(expected), `got: ${problems[0]}`);
  });
}

errors('reports every bad variable at once, in one error message', () => {
  const env = { WORKER_INSTANCE_ID: 'nope', HEALTHCHECK_URL: 'http://example.com', PROBE_ATTEMPTS: '99' };
  const problems = problemsOf(env);
  assert.equal(
    problems.map((p) => p.split(' ')[0]),
    ['WORKER_INSTANCE_ID', 'HEALTHCHECK_URL', 'PROBE_ATTEMPTS'],
  );
  assert.throws(() => readConfig(env), (error: Error) => error.name === 'ConfigError' && error.message.includes('PROBE_ATTEMPTS is "99"'));
});

errors.run();
