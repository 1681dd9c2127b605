// The thin shell around decide.ts: observe, recall, decide, act, remember, tell.
import { configAlert, formatAlert, type Publisher } from './alerts.js';
import type { Config, ConfigError } from './config.js';
import {
  actionTaken,
  decide,
  EMPTY_MEMORY,
  laptopStatus,
  needsConfirmation,
  reconcile,
  type Decision,
  type Memory,
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
  alerts: string[];
}

export type Handler = (event?: unknown, context?: unknown) => Promise<Summary>;

interface Observed {
  view: WorkerView;
  tags: Readonly<Record<string, string>> | undefined;
}

/** The container's own copy of the memory: used when the tags could not be read or written. */
interface LocalMemory {
  memory: Memory;
  persisted: boolean;
}

const probeFields = (p: ProbeResult) => ({
  ok: p.ok,
  ...(p.status !== undefined && { status: p.status }),
  ...(p.cause && { cause: p.cause }),
  ...(p.detail && { detail: p.detail }),
  duration_ms: Math.round(p.durationMs),
});

export function createHandler(config: Config, deps: Dependencies): Handler {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const probeOptions = { url: config.healthcheckUrl, timeoutMs: config.probeTimeoutMs, expectedBody: config.expectedBody, fetch: deps.fetch, now };
  let local: LocalMemory | undefined;

  async function observeWorker(): Promise<Observed> {
    try {
      const worker = await deps.worker.describe();
      return { view: { readable: true, state: worker.state, hold: isHeld(worker.tags) }, tags: worker.tags };
    } catch (error) {
      const { code, message } = error instanceof Ec2Error ? error : new Ec2Error('Unknown', String(error));
      log('error', 'cannot read the EC2 worker', { instance_id: config.workerInstanceId, error_code: code, error: message });
      return { view: { readable: false, error: { code, message } }, tags: undefined };
    }
  }

  function recall(tags: Observed['tags']): Memory {
    if (tags && (!local || local.persisted)) return memoryFromTags(tags);
    return local?.memory ?? EMPTY_MEMORY;
  }

  async function execute(decision: Decision): Promise<Outcome> {
    if (decision.action === 'none') return { kind: 'none' };
    if (config.dryRun) return { kind: 'dry-run' };
    const action = decision.action;
    try {
      const change = action === 'start' ? await deps.worker.start() : await deps.worker.stop();
      return change.previousState === (action === 'start' ? 'stopped' : 'running') ? { kind: 'done', change } : { kind: 'already', change };
    } catch (error) {
      const { code, message } = error instanceof Ec2Error ? error : new Ec2Error('Unknown', String(error));
      // Another invocation or a person changed the state between our read and our call: not a failure.
      if (code === 'IncorrectInstanceState') {
        log('warn', `${action} skipped: the worker changed state meanwhile`, { error_code: code, error: message });
        return { kind: 'race', code, message };
      }
      log('error', `${action} of the EC2 worker failed`, { instance_id: config.workerInstanceId, error_code: code, error: message });
      return { kind: 'failed', code, message };
    }
  }

  async function remember(tags: Observed['tags'], next: Memory): Promise<void> {
    // A dry run writes nothing to AWS, its memory included.
    if (!tags || config.dryRun) {
      local = { memory: next, persisted: false };
      return;
    }
    const { set, remove } = tagChanges(tags, next);
    if (Object.keys(set).length === 0 && remove.length === 0) {
      local = { memory: next, persisted: true };
      return;
    }
    try {
      await deps.worker.updateTags(set, remove);
      local = { memory: next, persisted: true };
    } catch (error) {
      const { code, message } = error instanceof Ec2Error ? error : new Ec2Error('Unknown', String(error));
      log('error', 'cannot save the watchdog memory in the worker tags', { error_code: code, error: message });
      local = { memory: next, persisted: false };
    }
  }

  return async function handler() {
    const started = now();
    // The first probe and the EC2 read go together: a healthy tick costs the slower of the two.
    const [first, observed] = await Promise.all([probeOnce(probeOptions), observeWorker()]);
    const probes =
      !first.ok && needsConfirmation(observed.view)
        ? await confirmFailure(first, { ...probeOptions, attempts: config.probeAttempts, retryDelayMs: config.probeRetryDelayMs, sleep: deps.sleep ?? realSleep })
        : [first];
    const observation = { laptop: { status: laptopStatus(probes, config.probeAttempts), probes }, worker: observed.view };
    const remembered = recall(observed.tags);
    const decidedAt = now();
    const decision = decide(observation, remembered, decidedAt, { failbackAfterMs: config.failbackAfterMs });
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
    };
    const messages = alerts.map((event) => formatAlert(event, context));
    await Promise.all([remember(observed.tags, { healthySince: decision.healthySince, openConditions: open }), ...messages.map(deps.publish)]);

    const view = observed.view;
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
      alerts: messages.map((m) => m.subject),
    };
    log('info', 'decision', {
      ...summary,
      instance_id: config.workerInstanceId,
      intended: decision.intended,
      healthy_since: decision.healthySince === undefined ? null : new Date(decision.healthySince).toISOString(),
      open_alerts: open,
    });
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
