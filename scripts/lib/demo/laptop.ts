// The real laptop healthcheck server (the built laptop/dist/healthcheck.mjs), with a stand-in `systemctl`
// first on its PATH whose answer the rehearsal switches between active and inactive.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Laptop {
  port: number;
  pid: number;
  setK3s(active: boolean): void;
  stop(): Promise<void>;
}

export const LAPTOP_BUNDLE = 'laptop/dist/healthcheck.mjs';

// Whatever way this process ends, even a crash that skips every finally, the server goes with it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startLaptop(workDir: string, bundle = LAPTOP_BUNDLE): Promise<Laptop> {
  const bin = join(workDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const stateFile = join(workDir, 'k3s-state');
  writeFileSync(stateFile, 'active\n');
  // `systemctl is-active UNIT` prints the state and exits 0 only when active; so does this stand-in.
  writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\nstate=$(cat '${stateFile}')\necho "$state"\n[ "$state" = active ]\n`);
  chmodSync(join(bin, 'systemctl'), 0o755);

  const child: ChildProcess = spawn(process.execPath, [bundle, '--host', '127.0.0.1', '--port', '0', '--interval', '0.1', '--check-timeout', '1', '--stale-after', '2'], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the laptop healthcheck server did not start within 10 s:\n${output}`));
    }, 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the laptop healthcheck server exited with ${code}:\n${output}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    setK3s(active) {
      writeFileSync(stateFile, active ? 'active\n' : 'inactive\n');
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
