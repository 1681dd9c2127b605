// The watchdog's settings, read from the environment once per cold start.
// Every problem is collected so one failed deployment shows every bad variable at once.

export interface Config {
  workerInstanceId: string;
  healthcheckUrl: URL;
  alertTopicArn: string | undefined;
  expectedBody: string | undefined;
  probeTimeoutMs: number;
  probeAttempts: number;
  probeRetryDelayMs: number;
  failbackAfterMs: number;
  stuckAfterMs: number;
  apiTimeoutMs: number;
  dryRun: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid watchdog configuration: ${problems.join('; ')}`);
  }
}

/** Documented defaults; the README's settings table and Terraform's variables mirror these. */
export const DEFAULTS = {
  PROBE_TIMEOUT_SECONDS: 5,
  PROBE_ATTEMPTS: 3,
  PROBE_RETRY_DELAY_SECONDS: 5,
  FAILBACK_AFTER_SECONDS: 600,
  STUCK_AFTER_SECONDS: 900,
  API_TIMEOUT_SECONDS: 5,
} as const;

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;
// Plain http is only for a healthcheck on this machine (the local rehearsal); a real laptop is reached through Funnel's https.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** Untrimmed, for a text whose spaces matter; only an empty value counts as unset. */
  verbatim(name: string, expected: string, valid: (value: string) => boolean): string | undefined {
    const value = this.env[name];
    if (value === undefined || value === '') return undefined;
    if (!valid(value)) return this.bad(name, value, expected);
    return value;
  }

  private bad(name: string, value: string | undefined, expected: string): undefined {
    this.problems.push(value === undefined ? `${name} is missing: expected ${expected}` : `${name} is ${JSON.stringify(value)}: expected ${expected}`);
    return undefined;
  }

  required(name: string, expected: string, valid: (value: string) => boolean): string {
    const value = this.raw(name);
    if (value === undefined || !valid(value)) this.bad(name, value, expected);
    return value ?? '';
  }

  optional(name: string, expected: string, valid: (value: string) => boolean): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !valid(value)) return this.bad(name, value, expected);
    return value;
  }

  /** A duration in seconds (decimals allowed), returned in milliseconds. */
  seconds(name: keyof typeof DEFAULTS, min: number, max: number): number {
    const fallback = DEFAULTS[name];
    const value = this.raw(name);
    if (value === undefined) return fallback * 1000;
    const n = Number(value);
    if (!DECIMAL.test(value) || n < min || n > max) {
      this.bad(name, value, `a number of seconds from ${min} to ${max} (default ${fallback})`);
      return fallback * 1000;
    }
    return Math.round(n * 1000);
  }

  integer(name: keyof typeof DEFAULTS, min: number, max: number): number {
    const fallback = DEFAULTS[name];
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!INTEGER.test(value) || n < min || n > max) {
      this.bad(name, value, `a whole number from ${min} to ${max} (default ${fallback})`);
      return fallback;
    }
    return n;
  }

  flag(name: string): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.bad(name, value, 'true or false (default false)');
    return false;
  }
}

function parseHealthcheckUrl(value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackUrl(url)) return url;
  return undefined;
}

/** Reads and checks every setting; throws one ConfigError naming each bad variable. */
export function readConfig(env: Env): Config {
  const read = new Reader(env);
  const workerInstanceId = read.required('WORKER_INSTANCE_ID', 'an EC2 instance id such as i-0123456789abcdef0', (v) => INSTANCE_ID.test(v));
  const rawUrl = read.required(
    'HEALTHCHECK_URL',
    "the laptop's public https:// healthcheck URL, such as https://laptop.tail1234.ts.net/health (plain http:// only for localhost)",
    (v) => parseHealthcheckUrl(v) !== undefined,
  );
  const alertTopicArn = read.optional('ALERT_TOPIC_ARN', 'an SNS topic ARN such as arn:aws:sns:eu-west-3:123456789012:watchdog-alerts, or nothing to only log alerts', (v) =>
    TOPIC_ARN.test(v),
  );
  // Route 53 matches its expected string within the first 5120 bytes of the body; so do we.
  const expectedBody = read.verbatim('EXPECTED_BODY', 'a text of at most 5120 bytes to find in the healthcheck body', (v) => Buffer.byteLength(v) <= 5120);
  const config: Config = {
    workerInstanceId,
    healthcheckUrl: parseHealthcheckUrl(rawUrl) ?? new URL('https://invalid.example/'),
    alertTopicArn,
    expectedBody,
    // Below a tenth of a second a deadline fails healthy calls: a probe timeout that small would start the EC2 on every tick.
    probeTimeoutMs: read.seconds('PROBE_TIMEOUT_SECONDS', 0.1, 60),
    probeAttempts: read.integer('PROBE_ATTEMPTS', 1, 10),
    probeRetryDelayMs: read.seconds('PROBE_RETRY_DELAY_SECONDS', 0, 60),
    failbackAfterMs: read.seconds('FAILBACK_AFTER_SECONDS', 0, 7 * 24 * 3600),
    // EC2 moves through pending and stopping in a minute or two; a quarter of an hour there is a stuck worker.
    stuckAfterMs: read.seconds('STUCK_AFTER_SECONDS', 60, 24 * 3600),
    apiTimeoutMs: read.seconds('API_TIMEOUT_SECONDS', 0.1, 30),
    dryRun: read.flag('DRY_RUN'),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/** The topic to tell about a broken configuration, when that one variable is usable. */
export function alertTopicOf(env: Env): string | undefined {
  const value = env.ALERT_TOPIC_ARN?.trim();
  return value && TOPIC_ARN.test(value) ? value : undefined;
}

/** Worst-case time of the confirmation probes, which the Lambda timeout must cover. */
export function worstCaseProbeMs(config: Pick<Config, 'probeAttempts' | 'probeTimeoutMs' | 'probeRetryDelayMs'>): number {
  return config.probeAttempts * config.probeTimeoutMs + (config.probeAttempts - 1) * config.probeRetryDelayMs;
}
