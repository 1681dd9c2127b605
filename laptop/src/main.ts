// Entry point: read the settings, start the background checks and the server, stop both on SIGTERM.
// Exit codes: 0 after a clean stop, 2 for bad settings (systemd is told not to restart on it), 1 otherwise.
import { commandCheck, HealthMonitor, unitCheck } from './checks.js';
import { ConfigError, describe, readConfig, USAGE, UsageRequested, type Config } from './config.js';
import { createHealthServer } from './server.js';

/** After SIGTERM, connections still busy this long are cut so the stop never hangs. */
const SHUTDOWN_GRACE_MS = 3000;

// journald stamps each line with the time and the unit; a plain line is all it needs.
const info = (message: string) => void process.stdout.write(`${message}\n`);
const error = (message: string) => void process.stderr.write(`${message}\n`);

function load(): Config | undefined {
  try {
    return readConfig(process.env, process.argv.slice(2));
  } catch (caught) {
    if (caught instanceof UsageRequested) {
      info(USAGE);
      process.exitCode = 0;
      return undefined;
    }
    if (!(caught instanceof ConfigError)) throw caught;
    error(`healthcheck: invalid configuration (see --help):\n${caught.problems.map((p) => `  - ${describe(p)}`).join('\n')}`);
    process.exitCode = 2;
    return undefined;
  }
}

function describeChecks(config: Config): string {
  const names = [`systemctl is-active ${config.unit}`, ...config.readiness.map((c) => `ready "${c.name}"`)];
  return `${names.join(', ')} every ${config.intervalMs / 1000} s (timeout ${config.checkTimeoutMs / 1000} s, stale after ${config.staleAfterMs / 1000} s)`;
}

function main(): void {
  const config = load();
  if (!config) return;

  const monitor = new HealthMonitor([unitCheck(config.unit), ...config.readiness.map(commandCheck)], {
    intervalMs: config.intervalMs,
    checkTimeoutMs: config.checkTimeoutMs,
    staleAfterMs: config.staleAfterMs,
    onChange: (status, detail) => (status.ok ? info('healthcheck: healthy') : info(`healthcheck: unhealthy: ${status.reason} (${detail})`)),
  });
  const server = createHealthServer({ status: () => monitor.status(), limits: { maxConnections: config.maxConnections } });

  const onListenError = (caught: NodeJS.ErrnoException) => {
    error(`healthcheck: cannot listen on ${config.host}:${config.port}: ${caught.code ?? caught.name}`);
    process.exitCode = 1;
    void monitor.stop();
  };
  server.once('error', onListenError);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    info(`healthcheck: ${signal}, stopping`);
    server.close(() => info('healthcheck: stopped'));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    void monitor.stop();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  monitor.start();
  server.listen({ host: config.host, port: config.port }, () => {
    // Once listening, an error (an accept() failing with EMFILE, say) costs one connection, not the server.
    server.off('error', onListenError);
    server.on('error', (caught: NodeJS.ErrnoException) => error(`healthcheck: server error: ${caught.code ?? caught.name}`));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    info(`healthcheck: listening on http://${host}:${port}/health; checking ${describeChecks(config)}`);
  });
}

main();
