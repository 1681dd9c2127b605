// `make demo`: a failover rehearsal on loopback, with no AWS account. See README, "Rehearse a failover".
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { ConfigError, readConfig } from '../../../lambda/watchdog/src/config.js';
import { computeFigures } from './metrics.js';
import { rehearse } from './rehearsal.js';
import { DEFAULT_SCENARIO, loadScenario, ScenarioError, type Scenario } from './scenario.js';
import { renderSvg } from './svg.js';
import { phaseLine, summaryText, tickLine } from './timeline.js';

const ZIP = 'lambda/watchdog/dist/watchdog.zip';
const USAGE = `Usage: scripts/demo [--scenario FILE.json] [--speed N] [--out DIR]

  --scenario FILE  phases of laptop behaviour (up, down, 503, hang, flap); default: the built-in outage
  --speed N        scenario seconds per wall-clock second (default 60: a scenario minute a second)
  --out DIR        where the picture and the JSON record go (default dist/demo)

The watchdog's settings pass through from the environment, in scenario seconds, scaled by --speed:
PROBE_TIMEOUT_SECONDS PROBE_ATTEMPTS PROBE_RETRY_DELAY_SECONDS FAILBACK_AFTER_SECONDS EXPECTED_BODY`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A first probe from a fresh process takes 50-130 ms on loopback here; a timeout scaled below this
 * floor would fail healthy probes. So a "hang" phase looks slower in the rehearsal than on AWS.
 */
export const MIN_PROBE_TIMEOUT_SECONDS = 0.5;

/** A tick (a fresh Node process, the bundle's import, the probes) needs about this much wall clock. */
const MIN_TICK_WALL_SECONDS = 0.5;

/** Paths on the command line are the caller's, though scripts/demo runs from the repository root. */
const fromCaller = (path: string) => resolve(process.env.DEMO_CWD ?? process.cwd(), path);

/** The user's watchdog settings, checked by the watchdog's own rules, then scaled to the wall clock. */
function watchdogSettings(speed: number): Record<string, string> {
  const names = ['PROBE_TIMEOUT_SECONDS', 'PROBE_ATTEMPTS', 'PROBE_RETRY_DELAY_SECONDS', 'FAILBACK_AFTER_SECONDS', 'EXPECTED_BODY'] as const;
  const given = Object.fromEntries(names.filter((n) => process.env[n]).map((n) => [n, process.env[n]!]));
  const config = readConfig({ WORKER_INSTANCE_ID: 'i-0123456789abcdef0', HEALTHCHECK_URL: 'http://127.0.0.1/health', ...given });
  const seconds = (s: number) => String(Number(s.toFixed(3)));
  const scaled = (ms: number) => seconds(ms / 1000 / speed);
  return {
    PROBE_TIMEOUT_SECONDS: seconds(Math.max(config.probeTimeoutMs / 1000 / speed, MIN_PROBE_TIMEOUT_SECONDS)),
    PROBE_ATTEMPTS: String(config.probeAttempts),
    PROBE_RETRY_DELAY_SECONDS: scaled(config.probeRetryDelayMs),
    FAILBACK_AFTER_SECONDS: scaled(config.failbackAfterMs),
    ...(config.expectedBody ? { EXPECTED_BODY: config.expectedBody } : {}),
  };
}

function options(): { scenario: Scenario; speed: number; out: string } {
  let parsed;
  try {
    parsed = parseArgs({ options: { scenario: { type: 'string' }, speed: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const speedText = parsed.values.speed ?? '60';
  const speed = Number(speedText);
  if (!/^\d+(\.\d+)?$/.test(speedText) || speed <= 0 || speed > 1000) throw new UsageError(`--speed is ${JSON.stringify(speedText)}: expected a number greater than 0 and at most 1000`);
  const scenario = parsed.values.scenario ? loadScenario(fromCaller(parsed.values.scenario)) : DEFAULT_SCENARIO;
  // Faster, and ticks would overrun their slots and straddle phase changes: the figures would be wrong.
  const fastest = scenario.tickSeconds / MIN_TICK_WALL_SECONDS;
  if (speed > fastest) {
    throw new UsageError(`--speed ${speedText} is too fast for ticks of ${scenario.tickSeconds} s: each tick needs about ${MIN_TICK_WALL_SECONDS} s of wall clock, so at most --speed ${fastest}`);
  }
  return { scenario, speed, out: parsed.values.out ? fromCaller(parsed.values.out) : 'dist/demo' };
}

async function main(): Promise<number> {
  const { scenario, speed, out } = options();
  const settings = watchdogSettings(speed);
  const workDir = mkdtempSync(join(tmpdir(), 'failover-rehearsal-'));
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => controller.abort(new Error(`interrupted by ${signal}`));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // A closed pipe (`make demo | head`) must stop the rehearsal the same clean way, not crash past its cleanup.
  process.stdout.on('error', () => controller.abort(new Error('its output was closed')));
  try {
    const bundle = join(workDir, 'index.mjs');
    // The artefact Terraform deploys, not the sources.
    writeFileSync(bundle, unzipSync(readFileSync(ZIP))['index.mjs']!);
    const minutes = scenario.phases.reduce((s, p) => s + p.seconds, 0) / 60;
    console.log(`==> rehearsing "${scenario.name}": ${minutes.toFixed(0)} scenario minutes at x${speed} (about ${Math.ceil((minutes * 60) / speed)} s)`);
    if (Number(settings.PROBE_TIMEOUT_SECONDS) === MIN_PROBE_TIMEOUT_SECONDS) {
      console.log(`==> note: the probe timeout is held at ${MIN_PROBE_TIMEOUT_SECONDS} s of wall clock (${MIN_PROBE_TIMEOUT_SECONDS * speed} scenario s), so timeouts look slower than on AWS`);
    }
    const record = await rehearse({
      scenario,
      speed,
      bundle,
      workDir,
      settings,
      signal: controller.signal,
      onStarted: ({ laptopPid, ports }) =>
        console.log(`==> laptop healthcheck server pid ${laptopPid} on port ${ports[0]}, Funnel stand-in on port ${ports[1]}, fake EC2/SNS on port ${ports[2]}`),
      onPhase: (i) => console.log(phaseLine(scenario, i)),
      onTick: (tick) => console.log(tickLine(scenario, tick)),
    });
    const figures = computeFigures(record);
    mkdirSync(out, { recursive: true });
    const picture = join(out, 'rehearsal.svg');
    writeFileSync(picture, renderSvg(record, figures));
    writeFileSync(join(out, 'rehearsal.json'), `${JSON.stringify({ figures, record }, null, 2)}\n`);
    console.log(summaryText(record, figures, relative(process.cwd(), picture)));
    return record.ticks.some((t) => t.error) ? 1 : 0;
  } catch (error) {
    if (controller.signal.aborted) {
      console.error(`\n==> stopped: ${(controller.signal.reason as Error).message}; every process it started is stopped`);
      return 130;
    }
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ScenarioError || error instanceof UsageError || error instanceof ConfigError) {
      console.error(`demo: ${error.message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
