// The watchdog's whole judgement, as pure functions of what was observed, what is remembered and the time.
// No I/O here: the handler gathers the observation, calls these, and carries out the result.
import type { InstanceState, StateChange } from './ec2.js';
import type { ProbeResult } from './probe.js';

/** up: a probe succeeded. down: every confirmation probe failed. suspect: a probe failed and was not confirmed. */
export type LaptopStatus = 'up' | 'down' | 'suspect';

export interface Laptop {
  status: LaptopStatus;
  probes: readonly ProbeResult[];
}

export type WorkerView =
  | { readable: true; state: InstanceState; hold: boolean }
  | { readable: false; error: { code: string; message: string } };

export interface Observation {
  laptop: Laptop;
  worker: WorkerView;
  /** Whether this container's last write of the memory to the tags worked; undefined when it wrote none. */
  memoryWritable: boolean | undefined;
}

/** Problems the owner is told about once when they start and once when they end. */
export const CONDITIONS = [
  'ec2-unreadable',
  'worker-unusable',
  'worker-stuck',
  'start-failed',
  'stop-failed',
  'memory-unwritable',
  'action-held',
  'would-start',
  'would-stop',
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface Memory {
  /** When the laptop was first seen healthy while the worker ran: the failback clock. */
  healthySince: number | undefined;
  /** When the worker was first seen pending or stopping, to tell a slow transition from a stuck one. */
  transitionalSince: number | undefined;
  /** The conditions the owner has been told about and not yet told the end of. */
  openConditions: readonly Condition[];
}

export const EMPTY_MEMORY: Memory = { healthySince: undefined, transitionalSince: undefined, openConditions: [] };

export type Action = 'start' | 'stop' | 'none';

export type Reason =
  | 'normal'
  | 'failover'
  | 'failover-active'
  | 'failback'
  | 'failback-pending'
  | 'unconfirmed'
  | 'transitional'
  | 'hold'
  | 'ec2-unreadable'
  | 'worker-unusable';

export interface Decision {
  action: Action;
  /** What the watchdog would do without the hold tag. */
  intended: Action;
  reason: Reason;
  healthySince: number | undefined;
  transitionalSince: number | undefined;
  /** Pending or stopping for longer than STUCK_AFTER_SECONDS. */
  stuck: boolean;
}

export interface Settings {
  failbackAfterMs: number;
  stuckAfterMs: number;
}

/** A laptop is down only when every one of the configured attempts failed. */
export function laptopStatus(probes: readonly ProbeResult[], attempts: number): LaptopStatus {
  if (probes.some((p) => p.ok)) return 'up';
  return probes.length >= attempts ? 'down' : 'suspect';
}

/** Re-probing costs Lambda time; it is only worth it when the answer could start the worker. */
export function needsConfirmation(worker: WorkerView): boolean {
  return worker.readable && worker.state === 'stopped';
}

function judge(laptop: LaptopStatus, state: InstanceState, healthyForMs: number | undefined, settings: Settings): Pick<Decision, 'intended' | 'reason'> {
  if (state === 'terminated' || state === 'shutting-down') return { intended: 'none', reason: 'worker-unusable' };
  if (state === 'pending' || state === 'stopping') return { intended: 'none', reason: 'transitional' };
  if (state === 'stopped') {
    if (laptop === 'down') return { intended: 'start', reason: 'failover' };
    return { intended: 'none', reason: laptop === 'up' ? 'normal' : 'unconfirmed' };
  }
  // running
  if (laptop !== 'up') return { intended: 'none', reason: 'failover-active' };
  return healthyForMs !== undefined && healthyForMs >= settings.failbackAfterMs
    ? { intended: 'stop', reason: 'failback' }
    : { intended: 'none', reason: 'failback-pending' };
}

export function decide(observation: Observation, memory: Memory, now: number, settings: Settings): Decision {
  const { laptop, worker } = observation;
  if (!worker.readable) {
    // Blind to EC2, the watchdog still sees the laptop: a failure restarts the failback clock all the same.
    const healthySince = laptop.status === 'up' ? memory.healthySince : undefined;
    return { action: 'none', intended: 'none', reason: 'ec2-unreadable', healthySince, transitionalSince: memory.transitionalSince, stuck: false };
  }
  // Remembered times later than now (a clock or a tag gone wrong) count as now.
  const since = (remembered: number | undefined) => Math.min(remembered ?? now, now);
  // The failback clock runs only while the laptop stays up and the worker is (coming) up; any failure restarts it.
  const workerUp = worker.state === 'running' || worker.state === 'pending';
  const healthySince = laptop.status === 'up' && workerUp ? since(memory.healthySince) : undefined;
  const healthyForMs = healthySince === undefined ? undefined : now - healthySince;
  const transitional = worker.state === 'pending' || worker.state === 'stopping';
  const transitionalSince = transitional ? since(memory.transitionalSince) : undefined;
  const stuck = transitionalSince !== undefined && now - transitionalSince >= settings.stuckAfterMs;
  const { intended, reason } = judge(laptop.status, worker.state, healthyForMs, settings);
  const action = worker.hold && intended !== 'none' ? 'none' : intended;
  return { action, intended, reason: action === intended ? reason : 'hold', healthySince, transitionalSince, stuck };
}

/** What happened when the handler carried out the decision. */
export type Outcome =
  | { kind: 'none' }
  | { kind: 'dry-run' }
  /** This invocation changed the state. */
  | { kind: 'done'; change: StateChange }
  /** Another invocation got there first: the state was already changing. */
  | { kind: 'already'; change: StateChange }
  /** The state moved between our read and our call (IncorrectInstanceState): nothing to do. */
  | { kind: 'race'; code: string; message: string }
  | { kind: 'failed'; code: string; message: string };

export type AlertKind = Condition | 'failover' | 'failback';

export interface AlertEvent {
  kind: AlertKind;
  phase: 'opened' | 'closed' | 'event';
}

/** Whether each condition holds now; undefined when this tick cannot tell (it stays as remembered). */
function currentConditions(observation: Observation, decision: Decision, outcome: Outcome): Record<Condition, boolean | undefined> {
  const readable = observation.worker.readable;
  const known = (value: boolean) => (readable ? value : undefined);
  const failedAt = (action: Action): boolean | undefined => {
    if (decision.action !== action) return known(false);
    if (outcome.kind === 'failed') return true;
    return outcome.kind === 'dry-run' ? undefined : false;
  };
  const wouldDo = (action: Action) => known(decision.action === action && outcome.kind === 'dry-run');
  return {
    'ec2-unreadable': !readable,
    'worker-unusable': known(decision.reason === 'worker-unusable'),
    'worker-stuck': known(decision.stuck),
    'memory-unwritable': observation.memoryWritable === undefined ? undefined : !observation.memoryWritable,
    'start-failed': failedAt('start'),
    'stop-failed': failedAt('stop'),
    'action-held': known(decision.reason === 'hold'),
    'would-start': wouldDo('start'),
    'would-stop': wouldDo('stop'),
  };
}

/** Dry-run hints end without an email: nothing was done, so nothing recovered. */
const SILENT_CLOSE = new Set<Condition>(['would-start', 'would-stop']);

/**
 * Turns one tick into the alerts to send, on transitions only, and the conditions to remember.
 * A failover or failback this invocation caused is one event; a failure is one alert when it starts and one when it ends.
 */
export function reconcile(observation: Observation, decision: Decision, outcome: Outcome, open: readonly Condition[]): { open: Condition[]; alerts: AlertEvent[] } {
  const now = currentConditions(observation, decision, outcome);
  const wasOpen = new Set(open);
  const events: AlertEvent[] = [];
  const { worker } = observation;
  const state = worker.readable ? worker.state : undefined;
  // A start (stop) whose call failed may have worked all the same, as when our deadline cut a slow answer:
  // the worker now coming up (going down) after a failed call is the failover (failback) the owner needs to hear of.
  const lateStart = wasOpen.has('start-failed') && now['start-failed'] === false && (state === 'pending' || state === 'running');
  const lateStop = wasOpen.has('stop-failed') && now['stop-failed'] === false && (state === 'stopping' || state === 'stopped');
  if ((outcome.kind === 'done' && decision.action === 'start') || lateStart) events.push({ kind: 'failover', phase: 'event' });
  if ((outcome.kind === 'done' && decision.action === 'stop') || lateStop) events.push({ kind: 'failback', phase: 'event' });
  const nextOpen: Condition[] = [];
  const changes: AlertEvent[] = [];
  for (const condition of CONDITIONS) {
    const holds = now[condition] ?? wasOpen.has(condition);
    if (holds) nextOpen.push(condition);
    if (holds && !wasOpen.has(condition)) changes.push({ kind: condition, phase: 'opened' });
    if (!holds && wasOpen.has(condition) && !SILENT_CLOSE.has(condition)) changes.push({ kind: condition, phase: 'closed' });
  }
  // The failover (failback) email already says the start (stop) finally worked.
  const covered = new Set<AlertKind>(events.map((e) => (e.kind === 'failover' ? 'start-failed' : 'stop-failed')));
  return { open: nextOpen, alerts: [...events, ...changes.filter((c) => !(c.phase === 'closed' && covered.has(c.kind)))] };
}

/**
 * The conditions to remember once the alerts went out: the memory records what the owner was told,
 * so a transition whose email failed stays as it was and is tried again on the next tick.
 */
export function toldConditions(open: readonly Condition[], alerts: readonly AlertEvent[], delivered: readonly boolean[]): Condition[] {
  const told = new Set(open);
  alerts.forEach((event, i) => {
    if (delivered[i] || event.phase === 'event') return;
    if (event.phase === 'opened') told.delete(event.kind as Condition);
    else told.add(event.kind as Condition);
  });
  return CONDITIONS.filter((c) => told.has(c));
}

/** The reference's `action_taken` vocabulary, extended with what the reference could not do. */
export function actionTaken(decision: Decision, outcome: Outcome): string {
  const verb = decision.action === 'start' ? 'start' : 'stop';
  switch (outcome.kind) {
    case 'done':
      return decision.action === 'start' ? 'started_ec2' : 'stopped_ec2';
    case 'already':
      return `${verb}_already_in_progress`;
    case 'race':
      return `${verb}_skipped_state_changed`;
    case 'failed':
      return `${verb}_ec2_failed`;
    case 'dry-run':
      return `would_${verb}_ec2`;
    case 'none':
      break;
  }
  const byReason: Record<Reason, string> = {
    normal: 'none_normal_state',
    'failover-active': 'none_failover_active',
    'failback-pending': 'waiting_failback_hysteresis',
    unconfirmed: 'none_unconfirmed_probe',
    transitional: 'waiting_transitional_state',
    hold: 'held',
    'ec2-unreadable': 'ec2_state_unknown',
    'worker-unusable': 'none_worker_unusable',
    failover: 'none',
    failback: 'none',
  };
  return byReason[decision.reason];
}
