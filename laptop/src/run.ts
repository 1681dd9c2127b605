// Runs one check command with a deadline. The command gets its own process group so a
// timeout kills everything it started (a shell and its kubectl), not only the first process.
import { spawn } from 'node:child_process';

export type RunResult =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
  | { kind: 'timed-out' }
  | { kind: 'aborted' }
  | { kind: 'failed-to-start'; code: string };

export interface RunOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Output kept for the verdict and the journal; a chatty command must not grow our memory. */
const OUTPUT_LIMIT = 1024;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

export function runBounded(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'aborted' });
    let settled = false;
    let stdout = '';
    let stderr = '';
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });

    const settle = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const stop = (result: RunResult) => {
      killGroup(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(result);
    };
    const onAbort = () => stop({ kind: 'aborted' });
    const timer = setTimeout(() => stop({ kind: 'timed-out' }), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_LIMIT) stdout = (stdout + chunk).slice(0, OUTPUT_LIMIT);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-OUTPUT_LIMIT);
    });
    child.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed-to-start', code: error.code ?? 'UNKNOWN' }));
    // Anything the command left behind in its group goes with it, so its pipes close and 'close' fires.
    child.on('exit', () => killGroup(child.pid));
    child.on('close', (code, signal) => settle({ kind: 'exited', code, signal, stdout, stderr }));
  });
}
