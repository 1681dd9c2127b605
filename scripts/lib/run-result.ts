// The one-line outcome scripts/lib/run-handler.mjs prints after running a built handler: "RESULT {json}".

export interface RunResult<Summary> {
  ok: boolean;
  node: string;
  importMs: number;
  summary?: Summary;
  error?: { name: string; message: string };
}

/** The RESULT line in a run's output, or undefined when the run died before printing one. */
export function parseRunResult<Summary>(stdout: string): RunResult<Summary> | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return line === undefined ? undefined : (JSON.parse(line.slice('RESULT '.length)) as RunResult<Summary>);
}
