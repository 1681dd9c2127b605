// The settings: defaults, variables, flags over variables, and one named problem per bad value.
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { ConfigError, readConfig, UsageRequested, type Env } from '../../laptop/src/config.js';

/** The settings a bad configuration was rejected for, in order. */
function rejected(env: Env, argv: string[] = []): string[] {
  try {
    readConfig(env, argv);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.setting);
    throw error;
  }
  assert.unreachable('the configuration was accepted');
  return [];
}

const defaults = suite('config: defaults');

defaults('listens on loopback port 8080 and checks k3s every 5 s when nothing is set', () => {
  assert.equal(readConfig({}), {
    host: '127.0.0.1',
    port: 8080,
    unit: 'k3s',
    readiness: [],
    intervalMs: 5000,
    checkTimeoutMs: 4000,
    staleAfterMs: 20000,
    maxConnections: 1024,
  });
});

defaults('treats an empty variable as unset, as an env file with "NAME=" means', () => {
  assert.is(readConfig({ HEALTHCHECK_PORT: '', HEALTHCHECK_UNIT: '  ' }).port, 8080);
});

defaults.run();

const values = suite('config: variables and flags');

values('reads every setting from its variable', () => {
  const config = readConfig({
    HEALTHCHECK_HOST: '::1',
    HEALTHCHECK_PORT: '9000',
    HEALTHCHECK_UNIT: 'k3s-agent.service',
    HEALTHCHECK_INTERVAL_SECONDS: '2.5',
    HEALTHCHECK_CHECK_TIMEOUT_SECONDS: '1',
    HEALTHCHECK_STALE_AFTER_SECONDS: '10',
    HEALTHCHECK_MAX_CONNECTIONS: '200',
  });
  assert.equal(
    { ...config, readiness: undefined },
    { host: '::1', port: 9000, unit: 'k3s-agent.service', readiness: undefined, intervalMs: 2500, checkTimeoutMs: 1000, staleAfterMs: 10000, maxConnections: 200 },
  );
});

values('lets a flag win over its variable', () => {
  const config = readConfig({ HEALTHCHECK_PORT: '9000', HEALTHCHECK_UNIT: 'k3s' }, ['--port', '0', '--unit=k3s-agent']);
  assert.is(config.port, 0);
  assert.is(config.unit, 'k3s-agent');
});

values('turns HEALTHCHECK_READY_<NAME> variables into named readiness checks', () => {
  const config = readConfig({ HEALTHCHECK_READY_DISCORD_BOT: 'kubectl -n bot rollout status deploy/bot', HEALTHCHECK_READY_API: 'kubectl get --raw=/readyz' });
  assert.equal(config.readiness, [
    { name: 'api', command: 'kubectl get --raw=/readyz' },
    { name: 'discord-bot', command: 'kubectl -n bot rollout status deploy/bot' },
  ]);
});

values('adds --ready NAME=COMMAND checks, replacing a variable of the same name', () => {
  const config = readConfig({ HEALTHCHECK_READY_API: 'false' }, ['--ready', 'api=true', '--ready', 'bot=test -e /x=1']);
  assert.equal(config.readiness, [
    { name: 'api', command: 'true' },
    { name: 'bot', command: 'test -e /x=1' },
  ]);
});

values('throws UsageRequested for --help', () => {
  assert.throws(() => readConfig({}, ['--help']), (error: unknown) => error instanceof UsageRequested);
});

values.run();

const invalid = suite('config: each bad value is named');

invalid('rejects a port out of range or not a number', () => {
  assert.equal(rejected({ HEALTHCHECK_PORT: '65536' }), ['HEALTHCHECK_PORT']);
  assert.equal(rejected({ HEALTHCHECK_PORT: '80a' }), ['HEALTHCHECK_PORT']);
  assert.equal(rejected({}, ['--port', '-1']), ['--port']);
});

invalid('rejects a host that is not an IP address', () => {
  assert.equal(rejected({ HEALTHCHECK_HOST: 'example.com' }), ['HEALTHCHECK_HOST']);
});

invalid('rejects a unit name that systemctl would read as an option or that has spaces', () => {
  assert.equal(rejected({ HEALTHCHECK_UNIT: '--all' }), ['HEALTHCHECK_UNIT']);
  assert.equal(rejected({ HEALTHCHECK_UNIT: 'k3s; reboot' }), ['HEALTHCHECK_UNIT']);
});

invalid('rejects durations that are zero, negative or not numbers', () => {
  assert.equal(rejected({ HEALTHCHECK_INTERVAL_SECONDS: '0' }), ['HEALTHCHECK_INTERVAL_SECONDS']);
  assert.equal(rejected({ HEALTHCHECK_CHECK_TIMEOUT_SECONDS: '-1' }), ['HEALTHCHECK_CHECK_TIMEOUT_SECONDS']);
  assert.equal(rejected({ HEALTHCHECK_STALE_AFTER_SECONDS: '1m' }), ['HEALTHCHECK_STALE_AFTER_SECONDS']);
});

invalid('rejects a stale time shorter than the interval plus the check timeout', () => {
  assert.equal(rejected({ HEALTHCHECK_INTERVAL_SECONDS: '10', HEALTHCHECK_CHECK_TIMEOUT_SECONDS: '5', HEALTHCHECK_STALE_AFTER_SECONDS: '14' }), ['HEALTHCHECK_STALE_AFTER_SECONDS']);
  assert.equal(rejected({ HEALTHCHECK_INTERVAL_SECONDS: '30' }), ['HEALTHCHECK_STALE_AFTER_SECONDS']);
});

invalid('rejects a connection cap too small to leave room for the watchdog', () => {
  assert.equal(rejected({ HEALTHCHECK_MAX_CONNECTIONS: '1' }), ['HEALTHCHECK_MAX_CONNECTIONS']);
});

invalid('rejects readiness checks with a bad name or no command', () => {
  assert.equal(rejected({}, ['--ready', 'no-equals-sign']), ['--ready']);
  assert.equal(rejected({}, ['--ready', 'Bad Name=true']), ['--ready']);
  assert.equal(rejected({}, ['--ready', 'bot=']), ['--ready']);
});

invalid('names unknown options, options without a value and stray words', () => {
  assert.equal(rejected({}, ['--prot', '80', 'extra', '--host']), ['--prot', 'command line', 'command line', '--host']);
});

invalid('reports every bad setting at once', () => {
  assert.equal(rejected({ HEALTHCHECK_PORT: 'x', HEALTHCHECK_HOST: 'y', HEALTHCHECK_INTERVAL_SECONDS: 'z' }), ['HEALTHCHECK_HOST', 'HEALTHCHECK_PORT', 'HEALTHCHECK_INTERVAL_SECONDS']);
});

invalid.run();
