// Helpers for the laptop suites: fake systemctl and readiness commands, loopback HTTP clients,
// and the built server as a child process. Everything is on 127.0.0.1 and cleaned up by its suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type UnitState = 'active' | 'inactive' | 'hang' | 'garbage';

// The fake answers like systemctl: "active" and exit 0, or "inactive" and exit 3. Each call appends
// a line to `calls`, so a test can count the processes the server forked.
const FAKE_SYSTEMCTL = `#!/bin/sh
dir=$(dirname "$0")
echo "$*" >>"$dir/calls"
case "$(cat "$dir/state")" in
  active) echo active; exit 0 ;;
  inactive) echo inactive; exit 3 ;;
  garbage) echo activating; exit 0 ;;
  hang) echo "$$" >"$dir/hung.pid"; sleep 300 & echo "$!" >"$dir/grandchild.pid"; wait ;;
esac
`;

export interface FakeBin {
  dir: string;
  /** PATH with the fakes first, then the system's (for sh, sleep, cat). */
  path: string;
  set(state: UnitState): void;
  /** How many times the fake systemctl ran. */
  calls(): number;
  /** A pid the hanging fake wrote, once it did. */
  pid(file: 'hung.pid' | 'grandchild.pid'): number | undefined;
  /** A fake readiness command: exits with the code written to `<name>.code`, 0 at first. */
  command(name: string): { set(code: number): void; path: string };
  cleanup(): void;
}

export function fakeBin(state: UnitState = 'active'): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'healthcheck-fake-'));
  writeFileSync(join(dir, 'systemctl'), FAKE_SYSTEMCTL);
  chmodSync(join(dir, 'systemctl'), 0o755);
  writeFileSync(join(dir, 'state'), state);
  return {
    dir,
    path: `${dir}:/usr/local/bin:/usr/bin:/bin`,
    set: (next) => writeFileSync(join(dir, 'state'), next),
    calls: () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).length : 0),
    pid(file) {
      const path = join(dir, file);
      return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : undefined;
    },
    command(name) {
      const path = join(dir, name);
      writeFileSync(`${path}.code`, '0');
      writeFileSync(path, `#!/bin/sh\nexit "$(cat "$0.code")"\n`);
      chmodSync(path, 0o755);
      return { path, set: (code) => writeFileSync(`${path}.code`, String(code)) };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True once a process has ended: no such pid, or only a zombie waiting for a parent that is not us. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export async function until(condition: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(stepMs);
  }
  return condition();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection, with a deadline so a hung server fails the test instead of the run. */
export function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/health', headers: options.headers, agent: false, timeout: options.timeoutMs ?? 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'TEST_TIMEOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Raw bytes in, everything the server sends until it closes (or the deadline) out. */
export function exchange(port: number, data: string | Buffer, timeoutMs = 2000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false });
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true });
    });
    socket.write(data);
  });
}

export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

export const BUNDLE = 'laptop/dist/healthcheck.mjs';

export interface Running {
  child: ChildProcess;
  port: number;
  output(): string;
  /** SIGTERM, then the exit code; SIGKILL if it does not stop in time. */
  stop(): Promise<number | null>;
}

/** The built server as the systemd unit runs it, on a free loopback port. */
export async function startBundle(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Running> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run make build first`);
  const child = spawn(process.execPath, [BUNDLE, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = () => /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
  const ready = await Promise.race([until(() => listening() !== null, 5000), exited.then(() => false)]);
  const match = listening();
  if (!ready || !match) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start: ${output}`);
  }
  return {
    child,
    port: Number(match[1]),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
