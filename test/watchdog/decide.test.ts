// The decision as tables: pure functions, no mocks, time passed in as data.
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import {
  actionTaken,
  decide,
  EMPTY_MEMORY,
  laptopStatus,
  needsConfirmation,
  reconcile,
  type Condition,
  type Decision,
  type LaptopStatus,
  type Observation,
  type Outcome,
  type WorkerView,
} from '../../lambda/watchdog/src/decide.js';
import type { InstanceState } from '../../lambda/watchdog/src/ec2.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const MINUTE = 60_000;
const settings = { failbackAfterMs: 10 * MINUTE, stuckAfterMs: 15 * MINUTE };

const ok = { ok: true, durationMs: 10, status: 200 };
const lost = { ok: false, durationMs: 10, cause: 'timeout' as const };

function observe(laptop: LaptopStatus, worker: InstanceState | 'unreadable', hold = false): Observation {
  const probes = laptop === 'up' ? [ok] : laptop === 'down' ? [lost, lost, lost] : [lost];
  const view: WorkerView = worker === 'unreadable' ? { readable: false, error: { code: 'UnauthorizedOperation', message: 'no' } } : { readable: true, state: worker, hold };
  return { laptop: { status: laptop, probes }, worker: view, memoryWritable: undefined };
}

const table = suite('decide: the decision table');

const rows: Array<[LaptopStatus, InstanceState, Decision['action'], Decision['reason']]> = [
  ['up', 'stopped', 'none', 'normal'],
  ['down', 'stopped', 'start', 'failover'],
  ['suspect', 'stopped', 'none', 'unconfirmed'],
  ['down', 'running', 'none', 'failover-active'],
  ['suspect', 'running', 'none', 'failover-active'],
  ['up', 'running', 'none', 'failback-pending'],
  ['up', 'pending', 'none', 'transitional'],
  ['down', 'pending', 'none', 'transitional'],
  ['up', 'stopping', 'none', 'transitional'],
  ['down', 'stopping', 'none', 'transitional'],
  ['up', 'shutting-down', 'none', 'worker-unusable'],
  ['down', 'shutting-down', 'none', 'worker-unusable'],
  ['down', 'terminated', 'none', 'worker-unusable'],
  ['up', 'terminated', 'none', 'worker-unusable'],
];

for (const [laptop, state, action, reason] of rows) {
  table(`laptop ${laptop} + EC2 ${state} -> ${action} (${reason})`, () => {
    const decision = decide(observe(laptop, state), EMPTY_MEMORY, NOW, settings);
    assert.is(decision.action, action);
    assert.is(decision.reason, reason);
  });
}

table('an unreadable EC2 state decides nothing and keeps the failback clock while the laptop stays up', () => {
  const memory = { healthySince: NOW - MINUTE, transitionalSince: undefined, openConditions: [] };
  const decision = decide(observe('up', 'unreadable'), memory, NOW, settings);
  assert.equal([decision.action, decision.reason, decision.healthySince], ['none', 'ec2-unreadable', NOW - MINUTE]);
});

table('an unreadable EC2 state still restarts the failback clock when a probe fails', () => {
  const memory = { healthySince: NOW - 9 * MINUTE, transitionalSince: undefined, openConditions: [] };
  assert.is(decide(observe('suspect', 'unreadable'), memory, NOW, settings).healthySince, undefined);
});

table.run();

const hysteresis = suite('decide: failback waits until the laptop has been healthy long enough');

hysteresis('starts the failback clock at the first healthy tick while the worker runs', () => {
  const decision = decide(observe('up', 'running'), EMPTY_MEMORY, NOW, settings);
  assert.is(decision.healthySince, NOW);
  assert.is(decision.action, 'none');
});

hysteresis('does not stop the EC2 one second before the configured time', () => {
  const memory = { healthySince: NOW - 10 * MINUTE + 1000, transitionalSince: undefined, openConditions: [] };
  assert.is(decide(observe('up', 'running'), memory, NOW, settings).action, 'none');
});

hysteresis('stops the EC2 once the laptop has been healthy for the configured time', () => {
  const memory = { healthySince: NOW - 10 * MINUTE, transitionalSince: undefined, openConditions: [] };
  const decision = decide(observe('up', 'running'), memory, NOW, settings);
  assert.is(decision.action, 'stop');
  assert.is(decision.reason, 'failback');
});

hysteresis('stops at once when the failback time is zero', () => {
  assert.is(decide(observe('up', 'running'), EMPTY_MEMORY, NOW, { failbackAfterMs: 0, stuckAfterMs: 15 * MINUTE }).action, 'stop');
});

hysteresis('restarts the clock after a failure, even an unconfirmed one', () => {
  const memory = { healthySince: NOW - 9 * MINUTE, transitionalSince: undefined, openConditions: [] };
  assert.is(decide(observe('suspect', 'running'), memory, NOW, settings).healthySince, undefined);
  assert.is(decide(observe('down', 'running'), memory, NOW, settings).healthySince, undefined);
});

hysteresis('counts healthy time from while the worker was still pending', () => {
  const pending = decide(observe('up', 'pending'), EMPTY_MEMORY, NOW, settings);
  assert.is(pending.healthySince, NOW);
  const later = decide(observe('up', 'running'), { healthySince: pending.healthySince, transitionalSince: undefined, openConditions: [] }, NOW + 10 * MINUTE, settings);
  assert.is(later.action, 'stop');
});

hysteresis('forgets the clock once the worker is stopped', () => {
  const memory = { healthySince: NOW - 20 * MINUTE, transitionalSince: undefined, openConditions: [] };
  assert.is(decide(observe('up', 'stopped'), memory, NOW, settings).healthySince, undefined);
});

hysteresis('treats a remembered time in the future as now, so a skewed tag cannot stop the EC2 early or never', () => {
  const memory = { healthySince: NOW + 60 * MINUTE, transitionalSince: undefined, openConditions: [] };
  const decision = decide(observe('up', 'running'), memory, NOW, settings);
  assert.is(decision.healthySince, NOW);
  assert.is(decide(observe('up', 'running'), { healthySince: decision.healthySince, transitionalSince: undefined, openConditions: [] }, NOW + 10 * MINUTE, settings).action, 'stop');
});

hysteresis.run();

const hold = suite('decide: the hold tag');

hold('does not start the EC2 while held, but says it would have', () => {
  const decision = decide(observe('down', 'stopped', true), EMPTY_MEMORY, NOW, settings);
  assert.equal([decision.action, decision.intended, decision.reason], ['none', 'start', 'hold']);
});

hold('does not stop the EC2 while held', () => {
  const decision = decide(observe('up', 'running', true), { healthySince: NOW - 60 * MINUTE, transitionalSince: undefined, openConditions: [] }, NOW, settings);
  assert.equal([decision.action, decision.intended, decision.reason], ['none', 'stop', 'hold']);
});

hold('keeps reporting the normal reason when there is nothing to block', () => {
  assert.is(decide(observe('up', 'stopped', true), EMPTY_MEMORY, NOW, settings).reason, 'normal');
});

hold.run();

const stuck = suite('decide: a worker stuck in a transition');

stuck('starts the transition clock when the worker is first seen pending or stopping', () => {
  assert.is(decide(observe('up', 'stopping'), EMPTY_MEMORY, NOW, settings).transitionalSince, NOW);
  assert.is(decide(observe('down', 'pending'), EMPTY_MEMORY, NOW, settings).transitionalSince, NOW);
  assert.is(decide(observe('down', 'stopped'), { ...EMPTY_MEMORY, transitionalSince: NOW - MINUTE }, NOW, settings).transitionalSince, undefined);
});

stuck('calls the worker stuck only after STUCK_AFTER_SECONDS in the same transition', () => {
  const since = (ms: number) => ({ ...EMPTY_MEMORY, transitionalSince: NOW - ms });
  assert.is(decide(observe('down', 'stopping'), since(15 * MINUTE - 1000), NOW, settings).stuck, false);
  assert.is(decide(observe('down', 'stopping'), since(15 * MINUTE), NOW, settings).stuck, true);
});

stuck.run();

const confirm = suite('laptopStatus and needsConfirmation');

confirm('calls the laptop down only after every configured attempt failed', () => {
  assert.is(laptopStatus([lost], 3), 'suspect');
  assert.is(laptopStatus([lost, lost], 3), 'suspect');
  assert.is(laptopStatus([lost, lost, lost], 3), 'down');
  assert.is(laptopStatus([lost], 1), 'down');
});

confirm('calls the laptop up when any probe succeeded', () => {
  assert.is(laptopStatus([lost, ok], 3), 'up');
});

confirm('re-probes only when the EC2 is stopped, where the answer could start it', () => {
  const states: InstanceState[] = ['stopped', 'running', 'pending', 'stopping', 'terminated'];
  assert.equal(
    states.map((s) => needsConfirmation({ readable: true, state: s, hold: false })),
    [true, false, false, false, false],
  );
  assert.is(needsConfirmation({ readable: false, error: { code: 'x', message: 'y' } }), false);
});

confirm.run();

const alerts = suite('reconcile: alerts on transitions only');

const decided = (o: Observation, memory = EMPTY_MEMORY) => decide(o, memory, NOW, settings);
const started: Outcome = { kind: 'done', change: { previousState: 'stopped', currentState: 'pending', attempts: 1 } };
const stopped: Outcome = { kind: 'done', change: { previousState: 'running', currentState: 'stopping', attempts: 1 } };
const failed: Outcome = { kind: 'failed', code: 'InsufficientInstanceCapacity', message: 'none left' };
const none: Outcome = { kind: 'none' };

alerts('sends one failover event when this invocation started the EC2', () => {
  const o = observe('down', 'stopped');
  assert.equal(reconcile(o, decided(o), started, []), { open: [], alerts: [{ kind: 'failover', phase: 'event' }] });
});

alerts('sends nothing when another invocation had already started it', () => {
  const o = observe('down', 'stopped');
  const already: Outcome = { kind: 'already', change: { previousState: 'pending', currentState: 'pending', attempts: 1 } };
  assert.equal(reconcile(o, decided(o), already, []).alerts, []);
});

alerts('sends nothing for IncorrectInstanceState from a race', () => {
  const o = observe('down', 'stopped');
  const race: Outcome = { kind: 'race', code: 'IncorrectInstanceState', message: 'stopping' };
  assert.equal(reconcile(o, decided(o), race, []), { open: [], alerts: [] });
});

alerts('sends one failback event when this invocation stopped the EC2', () => {
  const o = observe('up', 'running');
  const decision = decide(o, { healthySince: NOW - 60 * MINUTE, transitionalSince: undefined, openConditions: [] }, NOW, settings);
  assert.equal(reconcile(o, decision, stopped, []).alerts, [{ kind: 'failback', phase: 'event' }]);
});

alerts('opens start-failed once, keeps it quiet while it persists, and folds its recovery into the failover email', () => {
  const o = observe('down', 'stopped');
  const first = reconcile(o, decided(o), failed, []);
  assert.equal(first, { open: ['start-failed'], alerts: [{ kind: 'start-failed', phase: 'opened' }] });
  const again = reconcile(o, decided(o), failed, first.open);
  assert.equal(again, { open: ['start-failed'], alerts: [] });
  const success = reconcile(o, decided(o), started, again.open);
  assert.equal(success, { open: [], alerts: [{ kind: 'failover', phase: 'event' }] });
});

alerts('closes start-failed with a recovery email when the laptop comes back instead', () => {
  const o = observe('up', 'stopped');
  assert.equal(reconcile(o, decided(o), none, ['start-failed']), { open: [], alerts: [{ kind: 'start-failed', phase: 'closed' }] });
});

alerts('opens ec2-unreadable once and keeps the other conditions as remembered while blind', () => {
  const o = observe('down', 'unreadable');
  const first = reconcile(o, decided(o), none, ['stop-failed']);
  assert.equal(first, { open: ['ec2-unreadable', 'stop-failed'], alerts: [{ kind: 'ec2-unreadable', phase: 'opened' }] });
  assert.equal(reconcile(o, decided(o), none, first.open).alerts, []);
});

alerts('sends a recovery when the EC2 state is readable again', () => {
  const o = observe('up', 'stopped');
  assert.equal(reconcile(o, decided(o), none, ['ec2-unreadable']).alerts, [{ kind: 'ec2-unreadable', phase: 'closed' }]);
});

alerts('tells once that a terminated worker makes failover impossible', () => {
  const o = observe('down', 'terminated');
  const first = reconcile(o, decided(o), none, []);
  assert.equal(first.alerts, [{ kind: 'worker-unusable', phase: 'opened' }]);
  assert.equal(reconcile(o, decided(o), none, first.open).alerts, []);
});

alerts('tells once that the hold tag blocks a failover, and when it stops blocking', () => {
  const held = observe('down', 'stopped', true);
  const first = reconcile(held, decided(held), none, []);
  assert.equal(first, { open: ['action-held'], alerts: [{ kind: 'action-held', phase: 'opened' }] });
  const released = observe('down', 'stopped');
  assert.equal(reconcile(released, decided(released), started, first.open).alerts, [
    { kind: 'failover', phase: 'event' },
    { kind: 'action-held', phase: 'closed' },
  ]);
});

alerts('in a dry run, says "would start" once and ends the hint silently', () => {
  const o = observe('down', 'stopped');
  const dry: Outcome = { kind: 'dry-run' };
  const first = reconcile(o, decided(o), dry, []);
  assert.equal(first, { open: ['would-start'], alerts: [{ kind: 'would-start', phase: 'opened' }] });
  assert.equal(reconcile(o, decided(o), dry, first.open).alerts, []);
  const back = observe('up', 'stopped');
  assert.equal(reconcile(back, decided(back), none, first.open), { open: [], alerts: [] });
});

alerts('a dry run never opens start-failed', () => {
  const o = observe('down', 'stopped');
  assert.not.ok(reconcile(o, decided(o), { kind: 'dry-run' }, []).open.includes('start-failed' as Condition));
});

alerts('reports a start that failed on our side but happened anyway as the failover it was', () => {
  const o = observe('down', 'running');
  assert.equal(reconcile(o, decided(o), none, ['start-failed']), { open: [], alerts: [{ kind: 'failover', phase: 'event' }] });
});

alerts('reports a stop that failed on our side but happened anyway as the failback it was', () => {
  const o = observe('up', 'stopped');
  assert.equal(reconcile(o, decided(o), none, ['stop-failed']), { open: [], alerts: [{ kind: 'failback', phase: 'event' }] });
});

alerts('closes stop-failed with a recovery when the laptop fails again and the worker keeps running', () => {
  const o = observe('down', 'running');
  assert.equal(reconcile(o, decided(o), none, ['stop-failed']).alerts, [{ kind: 'stop-failed', phase: 'closed' }]);
});

alerts('tells once that the worker is stuck, and when it is not any more', () => {
  const o = observe('down', 'stopping');
  const stuckDecision = decide(o, { ...EMPTY_MEMORY, transitionalSince: NOW - 20 * MINUTE }, NOW, settings);
  const first = reconcile(o, stuckDecision, none, []);
  assert.equal(first, { open: ['worker-stuck'], alerts: [{ kind: 'worker-stuck', phase: 'opened' }] });
  assert.equal(reconcile(o, stuckDecision, none, first.open).alerts, []);
  const freed = observe('down', 'stopped');
  assert.equal(reconcile(freed, decided(freed), started, first.open).alerts, [
    { kind: 'failover', phase: 'event' },
    { kind: 'worker-stuck', phase: 'closed' },
  ]);
});

alerts('tells once that the memory cannot be saved, and when it can again', () => {
  const o = { ...observe('up', 'stopped'), memoryWritable: false };
  const first = reconcile(o, decided(o), none, []);
  assert.equal(first, { open: ['memory-unwritable'], alerts: [{ kind: 'memory-unwritable', phase: 'opened' }] });
  assert.equal(reconcile({ ...o, memoryWritable: undefined }, decided(o), none, first.open).alerts, [], 'no write this tick: nothing learnt');
  assert.equal(reconcile({ ...o, memoryWritable: true }, decided(o), none, first.open).alerts, [{ kind: 'memory-unwritable', phase: 'closed' }]);
});

alerts('closes worker-unusable when the worker is usable again', () => {
  const o = observe('up', 'stopped');
  assert.equal(reconcile(o, decided(o), none, ['worker-unusable']).alerts, [{ kind: 'worker-unusable', phase: 'closed' }]);
});

alerts.run();

const taken = suite('actionTaken: the summary vocabulary');

taken('names each outcome as the reference did, and the new cases plainly', () => {
  const start = decided(observe('down', 'stopped'));
  assert.is(actionTaken(start, started), 'started_ec2');
  assert.is(actionTaken(start, failed), 'start_ec2_failed');
  assert.is(actionTaken(start, { kind: 'dry-run' }), 'would_start_ec2');
  assert.is(actionTaken(start, { kind: 'already', change: { previousState: 'pending', currentState: 'pending', attempts: 1 } }), 'start_already_in_progress');
  assert.is(actionTaken(decided(observe('up', 'stopped')), none), 'none_normal_state');
  assert.is(actionTaken(decided(observe('down', 'running')), none), 'none_failover_active');
  assert.is(actionTaken(decided(observe('up', 'stopping')), none), 'waiting_transitional_state');
  assert.is(actionTaken(decided(observe('up', 'running')), none), 'waiting_failback_hysteresis');
  assert.is(actionTaken(decided(observe('down', 'stopped', true)), none), 'held');
});

taken.run();
