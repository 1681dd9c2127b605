// `make demo` end to end: the default scenario at high speed, bad scenario files, and a clean stop on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import type { Figures } from '../../scripts/lib/demo/metrics.js';
import type { RehearsalRecord } from '../../scripts/lib/demo/rehearsal.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo in its own process group, as a terminal would; `onLine` may send it a signal. */
function demo(args: string[], onLine?: (line: string, pid: number) => void, cwd = process.cwd()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(join(process.cwd(), 'scripts/demo'), args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (onLine) for (const line of chunk.toString().split('\n')) onLine(line, child.pid!);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let out: string;

const rehearsal = suite('the default rehearsal, at high speed');
let run: Run;
let record: RehearsalRecord;
let figures: Figures;

rehearsal.before(async () => {
  out = mkdtempSync(join(tmpdir(), 'demo-test-'));
  run = await demo(['--speed', '120', '--out', out]);
  if (run.code === 0) ({ record, figures } = JSON.parse(readFileSync(join(out, 'rehearsal.json'), 'utf8')) as { record: RehearsalRecord; figures: Figures });
});

rehearsal.after(() => rmSync(out, { recursive: true, force: true }));

rehearsal('runs to the end and exits 0', () => {
  assert.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
});

rehearsal('fails over exactly once and fails back exactly once', () => {
  assert.is(figures.starts, 1);
  assert.is(figures.stops, 1);
  const actions = record.ticks.map((t) => t.summary?.action_taken);
  assert.is(actions.filter((a) => a === 'started_ec2').length, 1);
  assert.is(actions.filter((a) => a === 'stopped_ec2').length, 1);
});

rehearsal('does nothing while each tick loses one probe', () => {
  const flapping = record.ticks.filter((t) => record.scenario.phases[t.phase]!.laptop === 'flap');
  assert.ok(flapping.length >= 2, 'the flap phase had ticks');
  for (const tick of flapping) {
    assert.is(tick.summary?.action_taken, 'none_normal_state');
    assert.ok(tick.summary!.probes.some((p) => !p.ok), 'a probe was lost in that tick');
  }
});

rehearsal('sends the failover and the failback emails, and nothing else', () => {
  assert.equal(figures.alerts, ['[watchdog] Failover: laptop down, starting worker i-0de000000000000de', '[watchdog] Failback: laptop back, stopping worker i-0de000000000000de']);
});

rehearsal('reports a detection time within one tick plus the confirming tick', () => {
  const outageStart = record.scenario.phases[0]!.seconds + record.scenario.phases[1]!.seconds;
  const startTick = record.ticks.find((t) => t.summary?.action_taken === 'started_ec2')!;
  const pending = record.ec2.find((c) => c.state === 'pending')!;
  assert.ok(pending.at >= startTick.at && pending.at <= startTick.at + startTick.took, 'the start happened during the tick that reported it');
  assert.ok(figures.detectionSeconds! > 0);
  assert.ok(figures.detectionSeconds! <= record.scenario.tickSeconds + startTick.took, `detection ${figures.detectionSeconds} s`);
  assert.ok(Math.abs(figures.detectionSeconds! - (pending.at - outageStart)) < 1e-6);
});

rehearsal('reports the neither and both windows consistent with the EC2 timeline', () => {
  const phases = record.scenario.phases;
  const outageStart = phases[0]!.seconds + phases[1]!.seconds;
  const backAt = outageStart + phases[2]!.seconds;
  const running = record.ec2.find((c) => c.state === 'running')!;
  const stopping = record.ec2.find((c) => c.state === 'stopping')!;
  assert.ok(Math.abs(figures.neitherSeconds - (running.at - outageStart)) < 1e-6, `neither ${figures.neitherSeconds}`);
  assert.ok(Math.abs(figures.bothSeconds - (stopping.at - backAt)) < 1e-6, `both ${figures.bothSeconds}`);
  assert.ok(figures.bothSeconds >= 600, 'failback waited FAILBACK_AFTER_SECONDS (600 scenario s)');
});

rehearsal('prints a line per tick, the phases and the summary, and saves the picture', () => {
  const tickLines = run.stdout.split('\n').filter((l) => /^\[\s*\d+%\] \d\d:\d\d /.test(l));
  assert.is(tickLines.length, record.ticks.length);
  assert.is(run.stdout.match(/^-- \[\d\/4\]/gm)?.length, 4);
  assert.match(run.stdout, /laptop down -> EC2 start requested/);
  const svg = readFileSync(join(out, 'rehearsal.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'));
  assert.match(svg, /Failover rehearsal/);
});

rehearsal.run();

const bad = suite('a bad scenario file');
let dir: string;

bad.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-bad-'));
});
bad.after(() => rmSync(dir, { recursive: true, force: true }));

const badScenarios: Array<[string, string, RegExp]> = [
  ['not JSON', '{ phases: [', /not valid JSON/],
  ['an unknown behaviour', '{"phases":[{"seconds":60,"laptop":"asleep"}]}', /phases\[0\]\.laptop is "asleep": expected one of up, down, 503, hang, flap/],
  ['a negative duration', '{"phases":[{"seconds":-5,"laptop":"down"}]}', /phases\[0\]\.seconds is -5: expected a number of seconds greater than 0/],
  ['no phases', '{"phases":[]}', /"phases" must be a non-empty list/],
  ['an unknown key', '{"phases":[{"seconds":60,"laptop":"up"}],"speed":3}', /unknown key "speed"/],
  ['an unknown key in a phase', '{"phases":[{"seconds":60,"laptop":"up","behaviour":"down"}]}', /phases\[0\]: unknown key "behaviour"/],
  ['phases shorter than one tick', '{"tick_seconds":60,"phases":[{"seconds":30,"laptop":"up"}]}', /the phases last 30 s in all: expected at least one tick_seconds \(60 s\)/],
];

for (const [what, text, message] of badScenarios) {
  bad(`is refused before anything starts when it has ${what}`, async () => {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, text);
    const result = await demo(['--scenario', file]);
    assert.is(result.code, 2);
    assert.match(result.stderr, message);
    assert.not.match(result.stdout, /rehearsing/);
  });
}

bad('reads a relative scenario path from where it was run', async () => {
  writeFileSync(join(dir, 'here.json'), '{"phases":[{"seconds":60,"laptop":"asleep"}]}');
  const result = await demo(['--scenario', 'here.json'], undefined, dir);
  assert.is(result.code, 2);
  assert.match(result.stderr, /here\.json: phases\[0\]\.laptop is "asleep"/);
});

bad('refuses a speed at which ticks would overrun their slots', async () => {
  const result = await demo(['--speed', '1000']);
  assert.is(result.code, 2);
  assert.match(result.stderr, /--speed 1000 is too fast for ticks of 60 s: .* at most --speed 120/);
  assert.not.match(result.stdout, /rehearsing/);
});

bad('names a missing file', async () => {
  const result = await demo(['--scenario', join(dir, 'nope.json')]);
  assert.is(result.code, 2);
  assert.match(result.stderr, /nope\.json: cannot read the scenario file \(ENOENT\)/);
});

bad('refuses a bad watchdog setting passed through the environment', async () => {
  const child = await new Promise<Run>((resolve) => {
    const c = spawn('scripts/demo', [], { env: { ...process.env, PROBE_ATTEMPTS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.is(child.code, 2);
  assert.match(child.stderr, /PROBE_ATTEMPTS is "0": expected a whole number from 1 to 10/);
});

bad.run();

const stop = suite('stopping the rehearsal');

stop('stops every process and frees every port on Ctrl-C', async () => {
  out = mkdtempSync(join(tmpdir(), 'demo-int-'));
  let started: { pid: number; ports: number[] } | undefined;
  let interrupted = false;
  const result = await demo(['--speed', '60', '--out', out], (line, pid) => {
    const m = line.match(/pid (\d+) on port (\d+), Funnel stand-in on port (\d+), fake EC2\/SNS on port (\d+)/);
    if (m) started = { pid: Number(m[1]), ports: [Number(m[2]), Number(m[3]), Number(m[4])] };
    if (!interrupted && /^\[\s*\d+%\] 00:30/.test(line)) {
      interrupted = true;
      // The rehearsal's own process only: the servers it started must be stopped by it, not by the signal.
      process.kill(pid, 'SIGINT');
    }
  });
  rmSync(out, { recursive: true, force: true });
  assert.ok(started, `the demo never said what it started:\n${result.stdout}${result.stderr}`);
  assert.is(result.code, 130, result.stderr);
  assert.match(result.stderr, /stopped: interrupted by SIGINT/);
  assert.is(alive(started!.pid), false, 'the laptop server is still running');
  for (const port of started!.ports) assert.ok(await refuses(port), `port ${port} still accepts connections`);
  assert.not.ok(existsSync(join(out, 'rehearsal.svg')));
});

stop('stops every process when its output is closed, as with `make demo | head`', async () => {
  out = mkdtempSync(join(tmpdir(), 'demo-pipe-'));
  const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
    const child = spawn('bash', ['-c', `scripts/demo --speed 60 --out '${out}' | head -n 4`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', () => resolve({ stdout: text }));
  });
  rmSync(out, { recursive: true, force: true });
  const m = stdout.match(/pid (\d+) on port (\d+), Funnel stand-in on port (\d+), fake EC2\/SNS on port (\d+)/);
  assert.ok(m, stdout);
  for (let i = 0; i < 50 && alive(Number(m![1])); i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.is(alive(Number(m![1])), false, 'the laptop server outlived the rehearsal');
  for (const port of m!.slice(2).map(Number)) assert.ok(await refuses(port), `port ${port} still accepts connections`);
});

stop.run();
