// One JSON object per line on stdout: CloudWatch Logs Insights discovers every field without a parse step.

export type Level = 'info' | 'warn' | 'error';
export type Logger = (level: Level, message: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Logger {
  return (level, message, fields = {}) => {
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
  };
}
