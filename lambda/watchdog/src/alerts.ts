// What the owner reads in their inbox, and how it gets there (SNS email; only logged when no topic is set).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ConfigError } from './config.js';
import type { AlertEvent, Decision, Observation, Outcome } from './decide.js';
import type { Logger } from './log.js';
import { describeProbe } from './probe.js';

export interface Alert {
  kind: string;
  phase: AlertEvent['phase'];
  subject: string;
  message: string;
}

export interface AlertContext {
  instanceId: string;
  healthcheckUrl: string;
  observation: Observation;
  decision: Decision;
  outcome: Outcome;
  now: number;
  dryRun: boolean;
  failbackAfterMs: number;
  stuckAfterMs: number;
}

const SUBJECT_PREFIX = '[watchdog] ';
const SUBJECT_LIMIT = 100;

/** SNS rejects a subject that is not printable ASCII on one line of at most 100 characters. */
export function safeSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 3)}...`;
}

function minutes(ms: number): string {
  const min = ms / 60000;
  return min >= 1 ? `${Number(min.toFixed(1))} min` : `${Math.round(ms / 1000)} s`;
}

function laptopLine(ctx: AlertContext): string {
  const { laptop } = ctx.observation;
  const failed = laptop.probes.filter((p) => !p.ok).length;
  const verdict = { up: 'UP', down: `DOWN (${failed} of ${laptop.probes.length} probes failed)`, suspect: `SUSPECT (${failed} probe failed, not confirmed)` }[laptop.status];
  return `Laptop healthcheck ${ctx.healthcheckUrl}: ${verdict}`;
}

function workerLine(ctx: AlertContext): string {
  const { worker } = ctx.observation;
  if (!worker.readable) return `EC2 worker ${ctx.instanceId}: state unreadable (${worker.error.code}: ${worker.error.message})`;
  return `EC2 worker ${ctx.instanceId}: ${worker.state}${worker.hold ? ' (hold tag set: the watchdog only observes)' : ''}`;
}

function outcomeLine(ctx: AlertContext): string {
  const { decision, outcome } = ctx;
  const verb = decision.action === 'start' ? 'start' : 'stop';
  switch (outcome.kind) {
    case 'done':
      return `Watchdog action: ${verb} requested (${outcome.change.previousState} -> ${outcome.change.currentState}).`;
    case 'already':
      return `Watchdog action: none, the worker was already ${outcome.change.previousState}.`;
    case 'failed':
      return `Watchdog action: ${verb} failed with ${outcome.code}: ${outcome.message}`;
    case 'race':
      return `Watchdog action: ${verb} skipped, the worker changed state meanwhile (${outcome.code}).`;
    case 'dry-run':
      return `Watchdog action: none, DRY_RUN is set; it would have requested a ${verb}.`;
    case 'none':
      return decision.reason === 'hold' ? `Watchdog action: none, the hold tag blocks the ${decision.intended}.` : 'Watchdog action: none.';
  }
}

function evidence(ctx: AlertContext): string {
  const probes = ctx.observation.laptop.probes.map((p, i) => `  probe ${i + 1}: ${describeProbe(p)}`);
  return ['Evidence:', laptopLine(ctx), ...probes, workerLine(ctx), outcomeLine(ctx), `Time: ${new Date(ctx.now).toISOString()}`].join('\n');
}

function errorCode(ctx: AlertContext): string {
  const { worker } = ctx.observation;
  if (!worker.readable) return worker.error.code;
  return ctx.outcome.kind === 'failed' ? ctx.outcome.code : 'unknown error';
}

/** Subject line and first paragraph of each alert, as what happened and what it means for the bot. */
function headline(event: AlertEvent, ctx: AlertContext): { subject: string; lead: string } {
  const id = ctx.instanceId;
  const closed = event.phase === 'closed';
  switch (event.kind) {
    case 'failover':
      return {
        subject: `Failover: laptop down, starting worker ${id}`,
        lead: 'The laptop failed every confirmation probe, so the watchdog started the standby EC2 worker. Argo CD there will redeploy the bot within a few minutes.',
      };
    case 'failback':
      return {
        subject: `Failback: laptop back, stopping worker ${id}`,
        lead: `The laptop has been healthy for at least ${minutes(ctx.failbackAfterMs)}, so the watchdog stopped the EC2 worker to save money. The bot runs on the laptop again.`,
      };
    case 'ec2-unreadable':
      return closed
        ? { subject: `Recovered: worker ${id} is readable again`, lead: 'The watchdog can read the worker again and acts normally.' }
        : {
            subject: `Cannot read worker ${id}: ${errorCode(ctx)}`,
            lead: 'The watchdog could not read the state of the EC2 worker, so it cannot fail over or fail back until this is fixed. It will email again when it recovers.',
          };
    case 'worker-unusable':
      return closed
        ? { subject: `Recovered: worker ${id} is usable again`, lead: 'The worker is in a usable state again.' }
        : {
            subject: `Worker ${id} is terminated: no failover possible`,
            lead: 'The standby worker is terminated or terminating. The watchdog can no longer fail over: recreate the worker (terraform apply) or point WORKER_INSTANCE_ID at another instance.',
          };
    case 'worker-stuck':
      return closed
        ? { subject: `Recovered: worker ${id} is no longer stuck`, lead: 'The worker left the state it was stuck in.' }
        : {
            subject: `Worker ${id} stuck ${ctx.observation.worker.readable ? ctx.observation.worker.state : ''} for ${minutes(ctx.stuckAfterMs)}`,
            lead: 'The worker has been pending or stopping for far longer than EC2 usually takes, and the watchdog waits for a stable state before acting, so it can neither fail over nor fail back. Look at the instance in the EC2 console (a stop can be forced there).',
          };
    case 'memory-unwritable':
      return closed
        ? { subject: `Recovered: the watchdog can save its memory on worker ${id} again`, lead: 'Tag writes on the worker work again.' }
        : {
            subject: `Cannot save watchdog memory in the tags of worker ${id}`,
            lead: "The watchdog could not write its tags on the worker (the logs say why: often IAM). It still acts, but from the warm container's memory only: after a cold start it may repeat emails and wait again before failing back.",
          };
    case 'start-failed':
      return closed
        ? { subject: `Recovered: starting worker ${id} no longer needed`, lead: 'An earlier failed start is no longer needed: the laptop or the worker is back to a normal state.' }
        : {
            subject: `Failover FAILED: cannot start worker ${id} (${errorCode(ctx)})`,
            lead: 'The laptop is down and the watchdog could not start the standby worker: the bot is down. The watchdog retries on every tick.',
          };
    case 'stop-failed':
      return closed
        ? { subject: `Recovered: stopping worker ${id} no longer failing`, lead: 'An earlier failed stop is no longer pending.' }
        : {
            subject: `Cannot stop worker ${id} (${errorCode(ctx)}): it keeps running`,
            lead: 'The laptop is back but the watchdog could not stop the EC2 worker, which keeps running and costing money. The watchdog retries on every tick.',
          };
    case 'action-held':
      if (closed) return { subject: `Hold no longer blocks the watchdog on ${id}`, lead: 'The hold tag is gone or no longer blocks an action.' };
      return ctx.decision.intended === 'start'
        ? {
            subject: `Hold tag blocks failover: laptop down, worker ${id} stays stopped`,
            lead: 'The laptop is down but the worker carries the watchdog:hold tag, so the watchdog does not start it. Remove the tag to allow the failover.',
          }
        : {
            subject: `Hold tag keeps worker ${id} running though the laptop is back`,
            lead: 'The laptop is healthy but the worker carries the watchdog:hold tag, so the watchdog does not stop it; it keeps costing money until the tag is removed.',
          };
    case 'would-start':
      return { subject: `[dry run] Would start worker ${id}: laptop down`, lead: 'DRY_RUN is set: the watchdog would have failed over, and did nothing.' };
    case 'would-stop':
      return { subject: `[dry run] Would stop worker ${id}: laptop back`, lead: 'DRY_RUN is set: the watchdog would have failed back, and did nothing.' };
  }
}

export function formatAlert(event: AlertEvent, ctx: AlertContext): Alert {
  const { subject, lead } = headline(event, ctx);
  const dryRun = ctx.dryRun ? '\n\nDRY_RUN is set: the watchdog starts and stops nothing.' : '';
  return { kind: event.kind, phase: event.phase, subject: safeSubject(SUBJECT_PREFIX + subject), message: `${lead}\n\n${evidence(ctx)}${dryRun}\n` };
}

export function configAlert(error: ConfigError): Alert {
  const names = error.problems.map((p) => p.split(' ')[0]).join(', ');
  return {
    kind: 'config-broken',
    phase: 'opened',
    subject: safeSubject(`${SUBJECT_PREFIX}Configuration broken (${names}): no failover possible`),
    message: `The watchdog refuses to run with this configuration, so it can neither fail over nor fail back:\n\n${error.problems.map((p) => `- ${p}`).join('\n')}\n\nFix the Lambda's environment (terraform apply) and it recovers on the next tick.\n`,
  };
}

/** Thrown at the end of a tick, after acting and saving, when an alert could not be sent: the Lambda's error alarm then tells the owner. */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(readonly subjects: readonly string[]) {
    super(`${subjects.length} alert(s) could not be sent (see the "alert publish failed" log lines): ${subjects.join(' | ')}`);
  }
}

export type PublishResult = 'sent' | 'logged' | 'failed';
export type Publisher = (alert: Alert) => Promise<PublishResult>;

/** Never throws: a failing publish is logged and must not get in the way of a failover. */
export function createPublisher(client: SNSClient | undefined, topicArn: string | undefined, log: Logger, timeoutMs: number): Publisher {
  return async (alert) => {
    const fields = { alert_kind: alert.kind, alert_phase: alert.phase, subject: alert.subject };
    if (!client || !topicArn) {
      log('warn', 'alert (not sent: ALERT_TOPIC_ARN is not set)', { ...fields, body: alert.message });
      return 'logged';
    }
    try {
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message }), { abortSignal: AbortSignal.timeout(timeoutMs) });
      log('info', 'alert sent', fields);
      return 'sent';
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      log('error', 'alert publish failed', { ...fields, error_code: typeof name === 'string' ? name : 'unknown', error: error instanceof Error ? error.message : String(error) });
      return 'failed';
    }
  };
}
