// The rehearsal as a picture: a laptop lane, an EC2 lane and the alerts, on the scenario's time axis.
import { clock, type Figures } from './metrics.js';
import type { RehearsalRecord } from './rehearsal.js';
import type { Behaviour } from './scenario.js';

const WIDTH = 1000;
const LEFT = 90;
const RIGHT = 20;
const LANE = 34;

const LAPTOP_COLOURS: Record<Behaviour, string> = { up: '#2e9e5b', flap: '#9bcf5a', '503': '#e08a2c', hang: '#b04a9c', down: '#d2423a' };
const EC2_COLOURS: Record<string, string> = { stopped: '#c9ccd1', pending: '#7fb2e5', running: '#2f6fb5', stopping: '#f0b54a', 'shutting-down': '#555', terminated: '#222' };

const escape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderSvg(record: RehearsalRecord, figures: Figures): string {
  const end = record.endSeconds;
  const x = (t: number) => LEFT + ((WIDTH - LEFT - RIGHT) * Math.min(Math.max(t, 0), end)) / end;
  const alertsTop = 40 + 2 * (LANE + 12);
  const height = alertsTop + 32 + record.alerts.length * 18 + 100;
  const parts: string[] = [];
  const rect = (from: number, to: number, y: number, fill: string, title: string) =>
    parts.push(`<rect x="${x(from).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(to) - x(from)).toFixed(1)}" height="${LANE}" fill="${fill}"><title>${escape(title)}</title></rect>`);

  parts.push(`<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escape(`Failover rehearsal: ${record.scenario.name}`)}</text>`);
  const laneLabel = (y: number, text: string) => parts.push(`<text x="8" y="${y + LANE / 2 + 5}" font-size="13">${text}</text>`);

  // Laptop lane, from the scenario's phases.
  let at = 0;
  laneLabel(40, 'laptop');
  for (const phase of record.scenario.phases) {
    rect(at, at + phase.seconds, 40, LAPTOP_COLOURS[phase.laptop], `${clock(at)}-${clock(at + phase.seconds)} ${phase.name} (${phase.laptop})`);
    at += phase.seconds;
  }

  // EC2 lane, from the fake's recorded state changes.
  const ec2Y = 40 + LANE + 12;
  laneLabel(ec2Y, 'EC2');
  const changes = [{ state: 'stopped', at: 0 }, ...record.ec2];
  changes.forEach((change, i) => {
    const to = changes[i + 1]?.at ?? end;
    rect(change.at, to, ec2Y, EC2_COLOURS[change.state] ?? '#999', `${clock(change.at)}-${clock(to)} EC2 ${change.state}`);
  });

  // Ticks as small marks under the EC2 lane.
  for (const tick of record.ticks) {
    const acted = tick.summary && /^(started|stopped)_ec2$/.test(tick.summary.action_taken);
    parts.push(`<line x1="${x(tick.at).toFixed(1)}" x2="${x(tick.at).toFixed(1)}" y1="${ec2Y + LANE + 2}" y2="${ec2Y + LANE + (acted ? 10 : 6)}" stroke="${acted ? '#000' : '#888'}"><title>${escape(`${clock(tick.at)} ${tick.summary?.action_taken ?? tick.error ?? ''}`)}</title></line>`);
  }

  // Alerts: a marker on the time axis and the subject in a list below.
  laneLabel(alertsTop - 8, 'alerts');
  record.alerts.forEach((alert, i) => {
    const ax = x(alert.at).toFixed(1);
    const ly = alertsTop + 32 + i * 18;
    parts.push(`<circle cx="${ax}" cy="${alertsTop + 8}" r="5" fill="#d2423a"><title>${escape(alert.subject)}</title></circle>`);
    parts.push(`<text x="${ax}" y="${alertsTop + 12}" font-size="10" dx="7">${i + 1}</text>`);
    parts.push(`<text x="${LEFT}" y="${ly}" font-size="12">${escape(`${i + 1}. ${clock(alert.at)}  ${alert.subject}`)}</text>`);
  });

  // Time axis.
  const axisY = height - 84;
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}" stroke="#444"/>`);
  const step = end > 3600 ? 600 : end > 1200 ? 300 : 60;
  for (let t = 0; t <= end; t += step) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${axisY}" y2="${axisY + 5}" stroke="#444"/><text x="${x(t)}" y="${axisY + 18}" font-size="11" text-anchor="middle">${clock(t)}</text>`);
  }
  const detection = figures.detectionSeconds === undefined ? 'no failover' : `detection ${Math.round(figures.detectionSeconds)} s`;
  const caption = `${detection} · served by neither ${Math.round(figures.neitherSeconds)} s · by both ${Math.round(figures.bothSeconds)} s · ${figures.starts} start(s), ${figures.stops} stop(s), ${figures.alerts.length} alert(s) · speed x${record.speed}`;
  parts.push(`<text x="${LEFT}" y="${height - 34}" font-size="12" fill="#333">${escape(caption)}</text>`);

  // Legend: what each colour means.
  const legend: Array<[string, string]> = [
    ...Object.entries(LAPTOP_COLOURS).map(([k, c]) => [c, `laptop ${k}`] as [string, string]),
    ...['stopped', 'pending', 'running', 'stopping'].map((k) => [EC2_COLOURS[k]!, `EC2 ${k}`] as [string, string]),
  ];
  legend.forEach(([colour, label], i) => {
    const lx = LEFT + i * 88;
    parts.push(`<rect x="${lx}" y="${height - 20}" width="10" height="10" fill="${colour}"/><text x="${lx + 14}" y="${height - 11}" font-size="10">${escape(label)}</text>`);
  });

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
