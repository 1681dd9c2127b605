// The systemd unit: systemd's own verifier with every warning a failure, the sandbox score, and the
// settings `systemctl is-active` and Node need that a stricter sandbox would take away.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';

const UNIT = 'laptop/healthcheck.service';
/** The reference unit scores 9.2 "UNSAFE"; ours scores 1.2 with systemd 252. */
const MAX_EXPOSURE = 1.5;

function analyze(args: string[]) {
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) assert.unreachable(`systemd-analyze could not run (${(result.error as NodeJS.ErrnoException).code}): .ci/run installs it`);
  return result;
}

/** Every value of a key in the [Service]/[Unit] sections, in order (keys may repeat). */
function values(key: string): string[] {
  return readFileSync(UNIT, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1).trim());
}

const verify = suite('unit: systemd accepts it');

verify('passes systemd-analyze verify without a single warning', () => {
  const result = analyze(['verify', UNIT]);
  assert.is(result.status, 0);
  // verify exits 0 on unknown keys and bad values, so anything it prints is a failure.
  assert.is(`${result.stdout}${result.stderr}`.trim(), '');
});

verify(`scores at most ${MAX_EXPOSURE} in systemd-analyze security --offline=yes`, () => {
  const result = analyze(['security', '--offline=yes', '--no-pager', UNIT]);
  const score = /Overall exposure level for healthcheck\.service: (\d+(?:\.\d+)?)/.exec(result.stdout)?.[1];
  assert.ok(score !== undefined, `no score in: ${result.stdout.slice(-300)}`);
  assert.ok(Number(score) <= MAX_EXPOSURE, `exposure ${score}`);
});

verify.run();

const needs = suite('unit: what the checks need stays allowed');

needs('runs as a real user, not DynamicUser, so systemctl can talk to systemd over D-Bus', () => {
  assert.equal(values('User'), ['healthcheck']);
  assert.equal(values('DynamicUser'), []);
});

needs('allows AF_UNIX for the D-Bus socket and keeps /run visible', () => {
  assert.ok(values('RestrictAddressFamilies').join(' ').split(/\s+/).includes('AF_UNIX'));
  assert.ok(!values('InaccessiblePaths').some((p) => p.split(/\s+/).includes('/run')));
  assert.equal(values('ProtectSystem'), ['strict']);
});

needs("leaves MemoryDenyWriteExecute off, which would break Node's JIT", () => {
  assert.ok(!values('MemoryDenyWriteExecute').includes('yes'));
});

needs('restarts always, after the network, tailscaled and k3s', () => {
  assert.equal(values('Restart'), ['always']);
  const after = values('After').join(' ').split(/\s+/);
  for (const unit of ['network-online.target', 'tailscaled.service', 'k3s.service']) assert.ok(after.includes(unit), unit);
  assert.ok(values('Wants').join(' ').includes('network-online.target'));
});

needs('runs the bundle the install script puts under /opt with the env file it writes', () => {
  assert.equal(values('ExecStart'), ['/usr/bin/env node /opt/healthcheck/healthcheck.mjs']);
  assert.equal(values('EnvironmentFile'), ['-/etc/healthcheck/healthcheck.env']);
});

needs.run();
