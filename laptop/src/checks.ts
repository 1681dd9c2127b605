// What "healthy" means, checked in the background: requests read the last result and never
// fork a process. A result that stops being refreshed goes stale and reads as unhealthy.
import type { ReadinessCheck } from './config.js';
import { runBounded, type RunOptions, type RunResult } from './run.js';

/** A failed check: `reason` is public (the 503 body), `detail` is for the journal only. */
export type Verdict = { ok: true } | { ok: false; reason: string; detail: string };

export interface Check {
  name: string;
  run(options: RunOptions): Promise<Verdict>;
}

export type Status = { ok: true } | { ok: false; reason: string };

export interface Clock {
  /** Wall-clock milliseconds: keeps counting through a suspend. */
  wall(): number;
  /** Monotonic milliseconds: immune to the wall clock being set back. */
  mono(): number;
}

export const systemClock: Clock = { wall: () => Date.now(), mono: () => performance.now() };

function oneLine(text: string, max = 120): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** The verdicts every check shares: timeouts, commands that cannot start, and a stop in progress. */
function commonVerdict(name: string, result: Exclude<RunResult, { kind: 'exited' }>): Verdict {
  switch (result.kind) {
    case 'timed-out':
      return { ok: false, reason: `${name} check timed out`, detail: 'killed at the check timeout' };
    case 'failed-to-start':
      return { ok: false, reason: `${name} check could not run`, detail: `could not start: ${result.code}` };
    case 'aborted':
      return { ok: false, reason: 'shutting down', detail: 'stopped' };
  }
}

function exitDetail(result: Extract<RunResult, { kind: 'exited' }>): string {
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const said = oneLine(result.stderr || result.stdout);
  return said ? `${how}: ${said}` : how;
}

/** `systemctl is-active UNIT`: active only when it exits 0 and says "active" (the reference's test). */
export function unitCheck(unit: string): Check {
  const name = unit.replace(/\.service$/, '');
  return {
    name,
    async run(options) {
      const result = await runBounded('systemctl', ['is-active', '--', unit], options);
      if (result.kind !== 'exited') return commonVerdict(name, result);
      if (result.code === 0 && result.stdout.trim() === 'active') return { ok: true };
      return { ok: false, reason: `${name} inactive`, detail: `systemctl is-active: ${exitDetail(result)}` };
    },
  };
}

/** A user's readiness command, run with /bin/sh -c; ready when it exits 0. */
export function commandCheck(check: ReadinessCheck): Check {
  return {
    name: check.name,
    async run(options) {
      const result = await runBounded('/bin/sh', ['-c', check.command], options);
      if (result.kind !== 'exited') return commonVerdict(check.name, result);
      if (result.code === 0) return { ok: true };
      return { ok: false, reason: `${check.name} not ready`, detail: exitDetail(result) };
    },
  };
}

export interface MonitorOptions {
  intervalMs: number;
  checkTimeoutMs: number;
  staleAfterMs: number;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Told when the public status changes, with the journal-only detail. */
  onChange?: (status: Status, detail: string | undefined) => void;
}

interface Result {
  verdict: Verdict;
  wall: number;
  mono: number;
}

export class HealthMonitor {
  private last: Result | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopper = new AbortController();
  private round: Promise<void> | undefined;
  private lastReported: string | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly checks: readonly Check[],
    private readonly options: MonitorOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Runs a first round at once, then one round every interval after the previous one ends. */
  start(): void {
    if (this.round || this.stopper.signal.aborted) return;
    this.loop();
  }

  /** Kills any check in flight and stops the loop; resolves once the round in flight has ended. */
  async stop(): Promise<void> {
    this.stopper.abort();
    clearTimeout(this.timer);
    await this.round;
  }

  /** The public status, from the last result; cheap enough to call on every request. */
  status(): Status {
    const last = this.last;
    if (!last) return { ok: false, reason: 'starting' };
    // Wall age catches a suspend (the monotonic clock stops), monotonic age catches the clock set back.
    const age = Math.max(this.clock.wall() - last.wall, this.clock.mono() - last.mono);
    if (age > this.options.staleAfterMs) return { ok: false, reason: 'result stale' };
    return last.verdict.ok ? { ok: true } : { ok: false, reason: last.verdict.reason };
  }

  /** One round now: every check in parallel, the first failure in configured order wins. */
  async runRound(): Promise<Verdict> {
    const options: RunOptions = { timeoutMs: this.options.checkTimeoutMs, signal: this.stopper.signal };
    if (this.options.env) options.env = this.options.env;
    const verdicts = await Promise.all(this.checks.map((check) => check.run(options)));
    return verdicts.find((v) => !v.ok) ?? { ok: true };
  }

  private loop(): void {
    this.round = this.runRound()
      .catch((error: unknown): Verdict => ({ ok: false, reason: 'check failed', detail: error instanceof Error ? error.name : 'unknown error' }))
      .then((verdict) => {
        if (this.stopper.signal.aborted) return;
        this.last = { verdict, wall: this.clock.wall(), mono: this.clock.mono() };
        this.report(verdict);
        this.timer = setTimeout(() => this.loop(), this.options.intervalMs);
      });
  }

  private report(verdict: Verdict): void {
    const status: Status = verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
    const key = status.ok ? 'ok' : status.reason;
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.options.onChange?.(status, verdict.ok ? undefined : verdict.detail);
  }
}
