// The figures a user compares between settings, computed from what the rehearsal recorded.
import type { RehearsalRecord } from './rehearsal.js';
import { LAPTOP_SERVES } from './scenario.js';

export interface Figures {
  /** From the first outage's start to the EC2 start request, in scenario seconds. */
  detectionSeconds: number | undefined;
  /** Neither the laptop nor a running EC2 could serve the bot. */
  neitherSeconds: number;
  /** Both could: the bot ran twice (the split-brain window on failback). */
  bothSeconds: number;
  starts: number;
  stops: number;
  alerts: string[];
}

/** Piecewise-constant lanes over [0, end]: each as sorted change points. */
function laptopChanges(record: RehearsalRecord): Array<{ at: number; serves: boolean }> {
  let at = 0;
  return record.scenario.phases.map((phase) => {
    const change = { at, serves: LAPTOP_SERVES[phase.laptop] };
    at += phase.seconds;
    return change;
  });
}

function valueAt<T extends { at: number }>(changes: readonly T[], at: number): T | undefined {
  let current: T | undefined;
  for (const change of changes) if (change.at <= at) current = change;
  return current;
}

export function computeFigures(record: RehearsalRecord): Figures {
  const laptop = laptopChanges(record);
  const ec2 = record.ec2;
  const points = [...new Set([0, record.endSeconds, ...laptop.map((c) => c.at), ...ec2.map((c) => c.at)])].filter((t) => t >= 0 && t <= record.endSeconds).sort((a, b) => a - b);
  let neither = 0;
  let both = 0;
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [from, to] = [points[i]!, points[i + 1]!];
    const laptopServes = valueAt(laptop, from)?.serves ?? true;
    const ec2Serves = valueAt(ec2, from)?.state === 'running';
    if (!laptopServes && !ec2Serves) neither += to - from;
    if (laptopServes && ec2Serves) both += to - from;
  }
  const outage = laptop.find((c, i) => !c.serves && (i === 0 || laptop[i - 1]!.serves));
  const start = outage && ec2.find((c) => c.state === 'pending' && c.at >= outage.at);
  return {
    detectionSeconds: outage && start ? start.at - outage.at : undefined,
    neitherSeconds: neither,
    bothSeconds: both,
    starts: ec2.filter((c) => c.state === 'pending').length,
    stops: ec2.filter((c) => c.state === 'stopping').length,
    alerts: record.alerts.map((a) => a.subject),
  };
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
