// What the rehearsal prints while it runs and when it ends.
import { clock, type Figures } from './metrics.js';
import type { RehearsalRecord, TickRecord } from './rehearsal.js';
import { totalSeconds, type Scenario } from './scenario.js';

function laptopText(tick: TickRecord): string {
  const summary = tick.summary;
  if (!summary) return 'laptop ?';
  const failed = summary.probes.filter((p) => !p.ok);
  const causes = [...new Set(failed.map((p) => (p.cause === 'http-status' ? `HTTP ${p.status}` : p.cause)))].join(', ');
  if (summary.laptop_status === 'UP') return failed.length === 0 ? 'laptop UP' : `laptop UP after ${failed.length} lost probe (${causes})`;
  return `laptop ${summary.laptop_status} (${failed.length}x ${causes})`;
}

export function phaseLine(scenario: Scenario, index: number): string {
  const phase = scenario.phases[index]!;
  return `-- [${index + 1}/${scenario.phases.length}] ${phase.name}: laptop ${phase.laptop} for ${clock(phase.seconds)} --`;
}

export function tickLine(scenario: Scenario, tick: TickRecord): string {
  const percent = `${String(Math.min(100, Math.round((100 * tick.at) / totalSeconds(scenario)))).padStart(3)}%`;
  const head = `[${percent}] ${clock(tick.at)}`;
  if (tick.error) return `${head}  tick failed: ${tick.error}`;
  const s = tick.summary!;
  const lines = [`${head}  ${laptopText(tick).padEnd(44)} EC2 ${s.ec2_state.padEnd(9)} ${s.action_taken}`];
  for (const subject of tick.alerts) lines.push(`${' '.repeat(head.length)}  alert: ${subject}`);
  return lines.join('\n');
}

export function summaryText(record: RehearsalRecord, figures: Figures, picture: string): string {
  const seconds = (s: number | undefined) => (s === undefined ? 'n/a (no failover)' : `${Math.round(s)} s`);
  const late = record.ticks.filter((t) => t.at - t.scheduled > record.scenario.tickSeconds / 10).length;
  return [
    '',
    `Rehearsal summary (${record.scenario.name}; speed x${record.speed}; times in scenario seconds)`,
    `  laptop down -> EC2 start requested   ${seconds(figures.detectionSeconds)}`,
    `  bot served by neither                ${seconds(figures.neitherSeconds)}   (plus Argo CD's sync on a real worker)`,
    `  bot served by both (split brain)     ${seconds(figures.bothSeconds)}   (failback waits FAILBACK_AFTER_SECONDS)`,
    `  EC2 starts / stops                   ${figures.starts} / ${figures.stops}`,
    `  alerts                               ${figures.alerts.length}`,
    ...figures.alerts.map((subject, i) => `    ${i + 1}. ${subject}`),
    `  watchdog settings (wall clock)       ${Object.entries(record.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  picture                              ${picture}`,
    ...(late > 0 ? [`  note: ${late} tick(s) started over a tenth of a period late (the one before overran its slot); a lower --speed gives truer figures`] : []),
  ].join('\n');
}
