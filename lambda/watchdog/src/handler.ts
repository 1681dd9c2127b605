// The thin shell around decide.ts: observe, recall, decide, act, remember, tell.
import { AlertDeliveryError, configAlert, formatAlert, type Publisher } from './alerts.js';
import type { Config, ConfigError } from './config.js';
import {
  actionTaken,
  decide,
  EMPTY_MEMORY,
  laptopStatus,
  needsConfirmation,
  reconcile,
  toldConditions,
  type Decision,
  type Memory,
  type Observation,
  type Outcome,
  type WorkerView,
} from './decide.js';
import { Ec2Error, type InstanceState, type WorkerApi } from './ec2.js';
import type { Logger } from './log.js';
import { isHeld, memoryFromTags, tagChanges } from './memory.js';
import { confirmFailure, probeOnce, sleep as realSleep, type ProbeResult } from './probe.js';

export interface Dependencies {
  worker: WorkerApi;
  publish: Publisher;
  log: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface Summary {
  timestamp: string;
  duration_ms: number;
  laptop_status: 'UP' | 'DOWN' | 'SUSPECT';
  ec2_state: InstanceState | 'unknown';
  action_taken: string;
  reason: Decision['reason'];
  hold: boolean;
  dry_run: boolean;
  probes: Array<{ ok: boolean; status?: number; cause?: string; detail?: string; duration_ms: number }>;
  /** Subjects of the alerts sent (or logged, without a topic) this tick. */
  alerts: string[];
  /** Subjects of the alerts SNS refused this tick: the tick then ends with an AlertDeliveryError. */
  alerts_failed: string[];
}

export type Handler = (event?: unknown, context?: unknown) => Promise<Summary>;

interface Observed {
  view: WorkerView;
  tags: Readonly<Record<string, string>> | undefined;
}

/** The container's own copy of the memory, for when the tags cannot be read or written. */
interface LocalMemory {
  memory: Memory;
  /** The tags hold this memory too. */
  persisted: boolean;
  /** This container has read the tags at least once; until then it knows only what it saw blind. */
  seenTags: boolean;
  /** A blind tick saw the laptop fail, so the failback clock in the tags no longer holds. */
  clockReset: boolean;
  /** Whether the last tag write worked; undefined before any. */
  lastWrite: boolean | undefined;
}

const probeFields = (p: ProbeResult) => ({
  ok: p.ok,
  ...(p.status !== undefined && { status: p.status }),
  ...(p.cause && { cause: p.cause }),
  ...(p.detail && { detail: p.detail }),
  duration_ms: Math.round(p.durationMs),
});

const asEc2Error = (error: unknown) => (error instanceof Ec2Error ? error : new Ec2Error('Unknown', String(error)));

/** Where a call of ours leaves the worker: after an SDK retry, that state may be our own first attempt's doing. */
const TOWARD: Record<'start' | 'stop', readonly InstanceState[]> = { start: ['pending', 'running'], stop: ['stopping', 'stopped'] };

export function createHandler(config: Config, deps: Dependencies): Handler {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const probeOptions = { url: config.healthcheckUrl, timeoutMs: config.probeTimeoutMs, expectedBody: config.expectedBody, fetch: deps.fetch, now };
  const settings = { failbackAfterMs: config.failbackAfterMs, stuckAfterMs: config.stuckAfterMs };
  let local: LocalMemory | undefined;

  async function observeWorker(): Promise<Observed> {
    try {
      const worker = await deps.worker.describe();
      return { view: { readable: true, state: worker.state, hold: isHeld(worker.tags) }, tags: worker.tags };
    } catch (error) {
      const { code, message } = asEc2Error(error);
      log('error', 'cannot read the EC2 worker', { instance_id: config.workerInstanceId, error_code: code, error: message });
      return { view: { readable: false, error: { code, message } }, tags: undefined };
    }
  }

  function recall(tags: Observed['tags']): Memory {
    if (!tags) return local?.memory ?? EMPTY_MEMORY;
    const stored = memoryFromTags(tags);
    if (!local || local.persisted) return stored;
    // Our newer view, which did not reach the tags.
    if (local.seenTags) return local.memory;
    // So far only blind ticks: what the tags say still holds, plus what those ticks learnt.
    return {
      healthySince: local.clockReset ? undefined : stored.healthySince,
      transitionalSince: stored.transitionalSince,
      openConditions: [...new Set([...stored.openConditions, ...local.memory.openConditions])],
    };
  }

  async function execute(decision: Decision): Promise<Outcome> {
    if (decision.action === 'none') return { kind: 'none' };
    if (config.dryRun) return { kind: 'dry-run' };
    const action = decision.action;
    try {
      const change = action === 'start' ? await deps.worker.start() : await deps.worker.stop();
      const ours = change.previousState === (action === 'start' ? 'stopped' : 'running') || (change.attempts > 1 && TOWARD[action].includes(change.previousState));
      return ours ? { kind: 'done', change } : { kind: 'already', change };
    } catch (error) {
      const { code, message } = asEc2Error(error);
      // Another invocation or a person changed the state between our read and our call: not a failure.
      if (code === 'IncorrectInstanceState') {
        log('warn', `${action} skipped: the worker changed state meanwhile`, { error_code: code, error: message });
        return { kind: 'race', code, message };
      }
      log('error', `${action} of the EC2 worker failed`, { instance_id: config.workerInstanceId, error_code: code, error: message });
      return { kind: 'failed', code, message };
    }
  }

  async function remember(observed: Observed, next: Memory, laptopUp: boolean): Promise<void> {
    const previous = local;
    if (!observed.tags) {
      local = { memory: next, persisted: false, seenTags: previous?.seenTags ?? false, clockReset: (previous?.clockReset ?? false) || !laptopUp, lastWrite: previous?.lastWrite };
      return;
    }
    // A dry run writes nothing to AWS, its memory included.
    if (config.dryRun) {
      local = { memory: next, persisted: false, seenTags: true, clockReset: false, lastWrite: undefined };
      return;
    }
    const { set, remove } = tagChanges(observed.tags, next);
    let persisted = true;
    let lastWrite = previous?.lastWrite;
    if (Object.keys(set).length > 0 || remove.length > 0) {
      try {
        await deps.worker.updateTags(set, remove);
        lastWrite = true;
      } catch (error) {
        const { code, message } = asEc2Error(error);
        log('error', 'cannot save the watchdog memory in the worker tags', { error_code: code, error: message });
        lastWrite = false;
        persisted = false;
      }
    }
    local = { memory: next, persisted, seenTags: true, clockReset: false, lastWrite };
  }

  return async function handler() {
    const started = now();
    // The first probe and the EC2 read go together: a healthy tick costs the slower of the two.
    const [first, observed] = await Promise.all([probeOnce(probeOptions), observeWorker()]);
    const probes =
      !first.ok && needsConfirmation(observed.view)
        ? await confirmFailure(first, { ...probeOptions, attempts: config.probeAttempts, retryDelayMs: config.probeRetryDelayMs, sleep: deps.sleep ?? realSleep })
        : [first];
    const observation: Observation = {
      laptop: { status: laptopStatus(probes, config.probeAttempts), probes },
      worker: observed.view,
      memoryWritable: local?.lastWrite,
    };
    const remembered = recall(observed.tags);
    const decidedAt = now();
    const decision = decide(observation, remembered, decidedAt, settings);
    const outcome = await execute(decision);
    const { open, alerts } = reconcile(observation, decision, outcome, remembered.openConditions);
    const context = {
      instanceId: config.workerInstanceId,
      healthcheckUrl: config.healthcheckUrl.href,
      observation,
      decision,
      outcome,
      now: decidedAt,
      dryRun: config.dryRun,
      failbackAfterMs: config.failbackAfterMs,
      stuckAfterMs: config.stuckAfterMs,
    };
    const messages = alerts.map((event) => formatAlert(event, context));
    const results = await Promise.all(messages.map(deps.publish));
    const openConditions = toldConditions(open, alerts, results.map((r) => r !== 'failed'));
    await remember(observed, { healthySince: decision.healthySince, transitionalSince: decision.transitionalSince, openConditions }, observation.laptop.status === 'up');

    const view = observed.view;
    const failed = messages.filter((_, i) => results[i] === 'failed').map((m) => m.subject);
    const summary: Summary = {
      timestamp: new Date(started).toISOString(),
      duration_ms: now() - started,
      laptop_status: observation.laptop.status === 'up' ? 'UP' : observation.laptop.status === 'down' ? 'DOWN' : 'SUSPECT',
      ec2_state: view.readable ? view.state : 'unknown',
      action_taken: actionTaken(decision, outcome),
      reason: decision.reason,
      hold: view.readable && view.hold,
      dry_run: config.dryRun,
      probes: probes.map(probeFields),
      alerts: messages.filter((_, i) => results[i] !== 'failed').map((m) => m.subject),
      alerts_failed: failed,
    };
    log('info', 'decision', {
      ...summary,
      instance_id: config.workerInstanceId,
      intended: decision.intended,
      healthy_since: decision.healthySince === undefined ? null : new Date(decision.healthySince).toISOString(),
      open_alerts: openConditions,
    });
    // Everything else is done: failing the invocation now only makes the Lambda's error alarm speak up.
    if (failed.length > 0) throw new AlertDeliveryError(failed);
    return summary;
  };
}

/**
 * The handler of a container whose configuration is broken: it tells the owner once per container,
 * then fails every invocation so the Lambda's error metric (and its alarm) shows it too.
 */
export function createConfigErrorHandler(error: ConfigError, publish: Publisher, log: Logger): Handler {
  let alerted = false;
  return async function handler() {
    log('error', 'configuration broken', { problems: error.problems });
    if (!alerted) {
      alerted = true;
      await publish(configAlert(error));
    }
    throw error;
  };
}
