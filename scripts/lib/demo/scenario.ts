// The rehearsal's script: phases of laptop behaviour, read from JSON and checked before anything starts.
import { readFileSync } from 'node:fs';

export const BEHAVIOURS = ['up', 'down', '503', 'hang', 'flap'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface Phase {
  name: string;
  /** Scenario seconds (divided by --speed on the wall clock). */
  seconds: number;
  laptop: Behaviour;
}

export interface Scenario {
  name: string;
  /** The watchdog's schedule, in scenario seconds. */
  tickSeconds: number;
  /** How long EC2 takes to boot and to stop, in scenario seconds. */
  pendingSeconds: number;
  stoppingSeconds: number;
  phases: Phase[];
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** What each behaviour means for the bot: can the laptop serve it? (A flapping link still runs the bot.) */
export const LAPTOP_SERVES: Record<Behaviour, boolean> = { up: true, flap: true, down: false, '503': false, hang: false };

export const DEFAULT_SCENARIO: Scenario = {
  name: 'default: healthy, one lost probe per tick, outage, recovery',
  tickSeconds: 60,
  pendingSeconds: 30,
  stoppingSeconds: 30,
  phases: [
    { name: 'laptop healthy', seconds: 180, laptop: 'up' },
    { name: 'one lost probe each tick (nothing must happen)', seconds: 180, laptop: 'flap' },
    { name: 'laptop down (failover)', seconds: 300, laptop: 'down' },
    { name: 'laptop back (failback after the hysteresis)', seconds: 900, laptop: 'up' },
  ],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function positive(where: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ScenarioError(`${where} is ${JSON.stringify(value)}: expected a number of seconds greater than 0`);
  }
  return value;
}

/** Checks a parsed scenario; every error names the place and what was expected. */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  if (!isObject(data)) throw new ScenarioError(`${source}: expected a JSON object with a "phases" list`);
  const known = new Set(['name', 'tick_seconds', 'pending_seconds', 'stopping_seconds', 'phases']);
  const unknown = Object.keys(data).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ScenarioError(`${source}: unknown key ${JSON.stringify(unknown[0])}: expected only ${[...known].join(', ')}`);
  if (!Array.isArray(data.phases) || data.phases.length === 0) throw new ScenarioError(`${source}: "phases" must be a non-empty list`);
  const phases = data.phases.map((raw, i): Phase => {
    const where = `${source}: phases[${i}]`;
    if (!isObject(raw)) throw new ScenarioError(`${where}: expected an object with "seconds" and "laptop"`);
    const stray = Object.keys(raw).find((k) => !['name', 'seconds', 'laptop'].includes(k));
    if (stray !== undefined) throw new ScenarioError(`${where}: unknown key ${JSON.stringify(stray)}: expected only name, seconds, laptop`);
    const laptop = raw.laptop;
    if (typeof laptop !== 'string' || !(BEHAVIOURS as readonly string[]).includes(laptop)) {
      throw new ScenarioError(`${where}.laptop is ${JSON.stringify(laptop)}: expected one of ${BEHAVIOURS.join(', ')}`);
    }
    const name = raw.name === undefined ? `phase ${i + 1}` : raw.name;
    if (typeof name !== 'string') throw new ScenarioError(`${where}.name is ${JSON.stringify(name)}: expected a text`);
    return { name, seconds: positive(`${where}.seconds`, raw.seconds), laptop: laptop as Behaviour };
  });
  const name = data.name ?? source;
  if (typeof name !== 'string') throw new ScenarioError(`${source}: "name" is ${JSON.stringify(name)}: expected a text`);
  const scenario = {
    name,
    tickSeconds: positive(`${source}: tick_seconds`, data.tick_seconds, DEFAULT_SCENARIO.tickSeconds),
    pendingSeconds: positive(`${source}: pending_seconds`, data.pending_seconds, DEFAULT_SCENARIO.pendingSeconds),
    stoppingSeconds: positive(`${source}: stopping_seconds`, data.stopping_seconds, DEFAULT_SCENARIO.stoppingSeconds),
    phases,
  };
  if (totalSeconds(scenario) < scenario.tickSeconds) {
    throw new ScenarioError(`${source}: the phases last ${totalSeconds(scenario)} s in all: expected at least one tick_seconds (${scenario.tickSeconds} s)`);
  }
  return scenario;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`${path}: cannot read the scenario file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ScenarioError(`${path}: not valid JSON`);
  }
  return parseScenario(data, path);
}

export function totalSeconds(scenario: Scenario): number {
  return scenario.phases.reduce((sum, p) => sum + p.seconds, 0);
}

/** The phase running at a scenario time, or undefined past the end. */
export function phaseAt(scenario: Scenario, seconds: number): { phase: Phase; index: number; start: number } | undefined {
  let start = 0;
  for (const [index, phase] of scenario.phases.entries()) {
    if (seconds < start + phase.seconds) return { phase, index, start };
    start += phase.seconds;
  }
  return undefined;
}
