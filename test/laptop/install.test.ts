// scripts/install-laptop.sh in --dry-run against a fake root, with fakes of systemctl, tailscale,
// getent, useradd and userdel first on PATH: the plan it prints for each state of the machine,
// that a dry run changes nothing, and that a second run on an installed machine plans nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';

const SCRIPT = 'scripts/install-laptop.sh';

const FAKES: Record<string, string> = {
  systemctl: `case "$1" in is-enabled) [ -e "$FAKE/enabled" ] ;; is-active) [ -e "$FAKE/active" ] ;; *) exit 0 ;; esac`,
  tailscale: `case "$*" in
  "funnel status --json") cat "$FAKE/funnel.json" 2>/dev/null || echo '{}' ;;
  "status --json") echo '{"Self":{"DNSName":"laptop.tail1234.ts.net."}}' ;;
esac`,
  getent: `[ "$1 $2" = "passwd healthcheck" ] && [ -e "$FAKE/user" ] && echo "healthcheck:x:990:990::/nonexistent:/usr/sbin/nologin"`,
  useradd: 'exit 0',
  userdel: 'exit 0',
};

interface Machine {
  fake: string;
  root: string;
  run(...args: string[]): { status: number | null; out: string; err: string };
  /** Every call the fakes received, as "command args". */
  calls(): string[];
  cleanup(): void;
}

function machine(): Machine {
  const fake = mkdtempSync(join(tmpdir(), 'install-fake-'));
  const root = mkdtempSync(join(tmpdir(), 'install-root-'));
  for (const [name, body] of Object.entries(FAKES)) {
    writeFileSync(join(fake, name), `#!/bin/sh\necho "${name} $*" >>"$FAKE/calls"\n${body}\n`);
    chmodSync(join(fake, name), 0o755);
  }
  return {
    fake,
    root,
    run(...args) {
      const result = spawnSync('bash', [SCRIPT, '--dry-run', '--root', root, ...args], {
        env: { PATH: `${fake}:${process.env.PATH}`, FAKE: fake, HOME: fake },
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: result.status, out: result.stdout, err: result.stderr };
    },
    calls: () => (existsSync(join(fake, 'calls')) ? readFileSync(join(fake, 'calls'), 'utf8').split('\n').filter(Boolean) : []),
    cleanup() {
      rmSync(fake, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function place(m: Machine, src: string, dest: string, mode: number) {
  const path = join(m.root, dest);
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(src, path);
  chmodSync(path, mode);
}

/** A machine where a first run already did everything. */
function installed(m: Machine, port = 8080) {
  place(m, 'laptop/dist/healthcheck.mjs', 'opt/healthcheck/healthcheck.mjs', 0o644);
  place(m, 'laptop/healthcheck.service', 'etc/systemd/system/healthcheck.service', 0o644);
  place(m, 'laptop/healthcheck.env.example', 'etc/healthcheck/healthcheck.env', 0o640);
  if (port !== 8080) writeFileSync(join(m.root, 'etc/healthcheck/healthcheck.env'), `HEALTHCHECK_PORT=${port}\n`);
  for (const flag of ['enabled', 'active', 'user']) writeFileSync(join(m.fake, flag), '');
  const host = 'laptop.tail1234.ts.net:443';
  writeFileSync(
    join(m.fake, 'funnel.json'),
    JSON.stringify({ TCP: { 443: { HTTPS: true } }, Web: { [host]: { Handlers: { '/': { Proxy: `http://127.0.0.1:${port}` } } } }, AllowFunnel: { [host]: true } }),
  );
}

/** The actions a run planned, in order, without the "==> would run: " prefix. */
function planned(out: string): string[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('==> would run: '))
    .map((line) => line.slice('==> would run: '.length));
}

/** Calls that would change the machine: anything but the read-only queries. */
function mutatingCalls(m: Machine): string[] {
  return m.calls().filter((call) => !/^(systemctl is-(enabled|active) |tailscale (funnel )?status --json$|getent passwd )/.test(call));
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

const fresh = suite('install --dry-run: a machine without the healthcheck');
let m: Machine;
fresh.before.each(() => {
  m = machine();
});
fresh.after.each(() => m.cleanup());

fresh('plans the user, the files, the service and the funnel, in that order', () => {
  const { status, out } = m.run();
  assert.is(status, 0);
  assert.equal(planned(out), [
    'useradd --system --user-group --no-create-home --home-dir /nonexistent --shell ' + (out.match(/--shell (\S+)/)?.[1] ?? '') + ' --comment home-failover\\ healthcheck healthcheck',
    `install -D -m 644 -o root -g root laptop/dist/healthcheck.mjs ${m.root}/opt/healthcheck/healthcheck.mjs`,
    `install -D -m 644 -o root -g root laptop/healthcheck.service ${m.root}/etc/systemd/system/healthcheck.service`,
    `install -D -m 640 -o root -g healthcheck laptop/healthcheck.env.example ${m.root}/etc/healthcheck/healthcheck.env`,
    'systemctl daemon-reload',
    'systemctl enable healthcheck',
    'systemctl start healthcheck',
    'tailscale funnel --bg 8080',
  ]);
  assert.match(out, /would check: http:\/\/127\.0\.0\.1:8080\/health answers 200 OK/);
});

fresh('prints the public URL to give Terraform as healthcheck_url', () => {
  const { out } = m.run();
  assert.match(out, /healthcheck_url = "https:\/\/laptop\.tail1234\.ts\.net\/health"/);
  assert.match(out, /curl https:\/\/laptop\.tail1234\.ts\.net\/health/);
});

fresh('changes nothing: no file under the root, no call that modifies the machine', () => {
  m.run();
  assert.equal(files(m.root), []);
  assert.equal(mutatingCalls(m), []);
});

fresh('writes the chosen port into a new env file', () => {
  const actions = planned(m.run('--port', '9000').out);
  assert.ok(actions.includes(`sed -i s/\\^#HEALTHCHECK_PORT=8080\\$/HEALTHCHECK_PORT=9000/ ${m.root}/etc/healthcheck/healthcheck.env`), actions.join('\n'));
  assert.ok(actions.includes('tailscale funnel --bg 9000'));
});

fresh('leaves Funnel alone with --no-funnel', () => {
  const actions = planned(m.run('--no-funnel').out);
  assert.ok(!actions.some((a) => a.startsWith('tailscale')));
});

fresh.run();

const again = suite('install --dry-run: a machine where it is installed');
again.before.each(() => {
  m = machine();
});
again.after.each(() => m.cleanup());

again('plans nothing when everything is in place: a second run changes nothing', () => {
  installed(m);
  const { status, out } = m.run();
  assert.is(status, 0);
  assert.equal(planned(out), []);
  assert.match(out, /0 change\(s\) planned/);
  assert.equal(mutatingCalls(m), []);
});

again('plans only a copy and a restart when the server was rebuilt', () => {
  installed(m);
  writeFileSync(join(m.root, 'opt/healthcheck/healthcheck.mjs'), '// an older build\n');
  assert.equal(planned(m.run().out), [`install -D -m 644 -o root -g root laptop/dist/healthcheck.mjs ${m.root}/opt/healthcheck/healthcheck.mjs`, 'systemctl restart healthcheck']);
});

again('plans a daemon-reload and a restart when the unit changed', () => {
  installed(m);
  writeFileSync(join(m.root, 'etc/systemd/system/healthcheck.service'), '[Service]\n');
  assert.equal(planned(m.run().out), [
    `install -D -m 644 -o root -g root laptop/healthcheck.service ${m.root}/etc/systemd/system/healthcheck.service`,
    'systemctl daemon-reload',
    'systemctl restart healthcheck',
  ]);
});

again('keeps an edited env file and follows the port it sets', () => {
  installed(m, 9123);
  const { out } = m.run('--port', '8080');
  assert.equal(planned(out), []);
  assert.match(out, /ok: Tailscale Funnel already serves https:\/\/laptop\.tail1234\.ts\.net -> http:\/\/127\.0\.0\.1:9123/);
});

again('starts a stopped service without reinstalling anything', () => {
  installed(m);
  rmSync(join(m.fake, 'active'));
  assert.equal(planned(m.run().out), ['systemctl start healthcheck']);
});

again.run();

const remove = suite('install --dry-run --uninstall');
remove.before.each(() => {
  m = machine();
});
remove.after.each(() => m.cleanup());

remove('plans removing the funnel, the service, every file and the user', () => {
  installed(m);
  const { status, out } = m.run('--uninstall');
  assert.is(status, 0);
  assert.equal(planned(out), [
    'tailscale funnel --https=443 off',
    'systemctl disable --now healthcheck',
    `rm -f ${m.root}/etc/systemd/system/healthcheck.service`,
    'systemctl daemon-reload',
    `rm -rf ${m.root}/opt/healthcheck`,
    `rm -rf ${m.root}/etc/healthcheck`,
    'userdel healthcheck',
  ]);
  assert.equal(mutatingCalls(m), []);
  assert.ok(existsSync(join(m.root, 'opt/healthcheck/healthcheck.mjs')), 'still there after the dry run');
});

remove('plans nothing on a machine without it', () => {
  const { status, out } = m.run('--uninstall');
  assert.is(status, 0);
  assert.equal(planned(out), []);
  assert.match(out, /nothing installed/);
});

remove.run();

const refuse = suite('install: refusing bad runs');

refuse('rejects an unknown option or a bad port with exit 2 and the usage', () => {
  for (const args of [['--bogus'], ['--port', 'http'], ['--port', '70000']]) {
    const result = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.is(result.status, 2, args.join(' '));
    assert.ok(result.stderr.length > 0);
  }
});

refuse('refuses --root without --dry-run, so a real run only ever targets /', () => {
  const result = spawnSync('bash', [SCRIPT, '--root', '/tmp'], { encoding: 'utf8', timeout: 10_000 });
  assert.is(result.status, 2);
});

refuse('refuses a real run without root before touching anything', () => {
  // A copy nobody can read: the clone itself may sit in a private directory.
  const copy = mkdtempSync(join(tmpdir(), 'install-copy-'));
  try {
    mkdirSync(join(copy, 'scripts/lib'), { recursive: true });
    copyFileSync(SCRIPT, join(copy, SCRIPT));
    copyFileSync('scripts/lib/common.sh', join(copy, 'scripts/lib/common.sh'));
    chmodSync(copy, 0o755);
    const asRoot = process.getuid?.() === 0;
    const command = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'bash', SCRIPT] : ['bash', SCRIPT];
    const result = spawnSync(command[0] ?? 'bash', command.slice(1), { cwd: copy, encoding: 'utf8', timeout: 10_000 });
    assert.is(result.status, 1, result.stderr);
    assert.match(result.stderr, /must run as root/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

refuse.run();
