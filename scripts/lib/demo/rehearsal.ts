// Runs a scenario: the real laptop server behind a Funnel stand-in, the fake EC2/SNS on loopback, and
// the built watchdog bundle invoked on an accelerated schedule, each tick in a fresh Node process so the
// only memory between ticks is the one the watchdog keeps in the worker's tags.
import { spawn, type ChildProcess } from 'node:child_process';
import { createAwsFake, type FakeState } from '../../../test/fakes/aws.js';
import { fakeAwsEnv, serve } from '../../../test/fakes/serve.js';
import { parseRunResult } from '../run-result.js';
import { startFunnel, type FunnelMode } from './funnel.js';
import { startLaptop } from './laptop.js';
import { phaseAt, totalSeconds, type Behaviour, type Scenario } from './scenario.js';

export const INSTANCE_ID = 'i-0de000000000000de';
const TOPIC_ARN = 'arn:aws:sns:eu-west-3:123456789012:rehearsal-alerts';

export interface TickSummary {
  laptop_status: string;
  ec2_state: string;
  action_taken: string;
  probes: Array<{ ok: boolean; status?: number; cause?: string }>;
}

export interface TickRecord {
  /** Scenario seconds at the start of the tick. */
  at: number;
  /** When the schedule wanted it: a tick starts late when the one before overran its slot. */
  scheduled: number;
  /** How long the tick took, in scenario seconds. */
  took: number;
  phase: number;
  summary: TickSummary | undefined;
  error: string | undefined;
  alerts: string[];
}

export interface RehearsalRecord {
  scenario: Scenario;
  speed: number;
  settings: Record<string, string>;
  ticks: TickRecord[];
  ec2: Array<{ state: FakeState; at: number }>;
  alerts: Array<{ at: number; subject: string }>;
  endSeconds: number;
}

export interface RehearsalOptions {
  scenario: Scenario;
  speed: number;
  /** The unzipped watchdog bundle (index.mjs). */
  bundle: string;
  workDir: string;
  /** Watchdog settings already scaled to wall-clock seconds. */
  settings: Record<string, string>;
  signal: AbortSignal;
  /** Told once everything is up: the processes and ports, so a user (or a test) can check they are gone after. */
  onStarted?: (started: { laptopPid: number; ports: number[] }) => void;
  onPhase?: (index: number) => void;
  onTick?: (tick: TickRecord) => void;
}

const FUNNEL_MODE: Record<Behaviour, FunnelMode> = { up: 'forward', '503': 'forward', down: 'reset', hang: 'hang', flap: 'flap' };

function sleepUntil(wallMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const abort = () => (clearTimeout(timer), reject(signal.reason));
    const timer = setTimeout(() => (signal.removeEventListener('abort', abort), resolve()), Math.max(0, wallMs - Date.now()));
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** One invocation of the built handler in its own process; resolves with its RESULT line. */
function invokeOnce(bundle: string, env: Record<string, string>, signal: AbortSignal): Promise<{ summary?: TickSummary; error?: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['scripts/lib/run-handler.mjs', bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const abort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', abort, { once: true });
    child.once('error', reject);
    child.once('close', () => {
      signal.removeEventListener('abort', abort);
      if (signal.aborted) return reject(signal.reason);
      const result = parseRunResult<TickSummary>(out);
      if (!result) return resolve({ error: `no result from the handler:\n${out.trim()}` });
      resolve(result.ok ? { summary: result.summary! } : { error: `${result.error?.name}: ${result.error?.message}` });
    });
  });
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalRecord> {
  const { scenario, speed, signal } = options;
  const toWall = (seconds: number) => (seconds * 1000) / speed;
  const fake = createAwsFake({ pendingMs: toWall(scenario.pendingSeconds), stoppingMs: toWall(scenario.stoppingSeconds), instances: [{ id: INSTANCE_ID, state: 'stopped' }] });
  const stops: Array<() => Promise<void>> = [];
  try {
    const aws = await serve(fake.handle);
    stops.push(aws.close);
    const laptop = await startLaptop(options.workDir);
    stops.push(laptop.stop);
    const funnel = await startFunnel(laptop.port);
    stops.push(funnel.close);
    options.onStarted?.({ laptopPid: laptop.pid, ports: [laptop.port, Number(new URL(funnel.url).port), Number(new URL(aws.url).port)] });

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...fakeAwsEnv(aws.url),
      WORKER_INSTANCE_ID: INSTANCE_ID,
      HEALTHCHECK_URL: funnel.url,
      ALERT_TOPIC_ARN: TOPIC_ARN,
      ...options.settings,
    };

    const total = totalSeconds(scenario);
    const t0 = Date.now();
    const scenarioAt = (wall: number) => ((wall - t0) * speed) / 1000;
    const scenarioNow = () => scenarioAt(Date.now());

    // The laptop's behaviour follows the phases on the wall clock, independently of the ticks.
    let phaseStart = 0;
    const timers = scenario.phases.map((phase, index) => {
      const at = phaseStart;
      phaseStart += phase.seconds;
      return setTimeout(() => {
        funnel.setMode(FUNNEL_MODE[phase.laptop]);
        laptop.setK3s(phase.laptop !== '503');
        options.onPhase?.(index);
      }, toWall(at));
    });
    stops.push(async () => timers.forEach(clearTimeout));

    // Ticks fall half a period after the phase boundaries: an outage then starts, on average, where a
    // real one does relative to the schedule, and a tick never races a behaviour change.
    const ticks: TickRecord[] = [];
    for (let k = 0; (k + 0.5) * scenario.tickSeconds < total; k += 1) {
      const scheduled = (k + 0.5) * scenario.tickSeconds;
      await sleepUntil(t0 + toWall(scheduled), signal);
      const at = scenarioNow();
      const before = fake.published.length;
      const result = await invokeOnce(options.bundle, env, signal);
      const tick: TickRecord = {
        at,
        scheduled,
        took: scenarioNow() - at,
        phase: phaseAt(scenario, at)?.index ?? scenario.phases.length - 1,
        summary: result.summary,
        error: result.error,
        alerts: fake.published.slice(before).map((p) => p.subject ?? ''),
      };
      ticks.push(tick);
      options.onTick?.(tick);
    }
    await sleepUntil(t0 + toWall(total), signal);
    fake.instance(INSTANCE_ID); // settles a pending or stopping state that ended meanwhile
    return {
      scenario,
      speed,
      settings: options.settings,
      ticks,
      ec2: fake.transitions.filter((t) => t.id === INSTANCE_ID).map((t) => ({ state: t.state, at: scenarioAt(t.at) })),
      alerts: fake.published.map((p) => ({ at: scenarioAt(p.at), subject: p.subject ?? '' })),
      endSeconds: total,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
