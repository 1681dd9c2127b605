// The healthcheck's settings: environment variables (the systemd env file) overridden by flags.
// Every problem is collected, so one failed start shows every bad setting at once.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

export interface ReadinessCheck {
  /** Shown in the 503 reason ("bot not ready"), so it must not carry anything secret. */
  name: string;
  /** Run with /bin/sh -c; exit 0 means ready. */
  command: string;
}

export interface Config {
  host: string;
  port: number;
  /** The systemd unit that must be active, checked with `systemctl is-active`. */
  unit: string;
  readiness: ReadinessCheck[];
  intervalMs: number;
  checkTimeoutMs: number;
  staleAfterMs: number;
  maxConnections: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface Problem {
  /** The variable or flag that was wrong, e.g. HEALTHCHECK_PORT or --port. */
  setting: string;
  value: string | undefined;
  expected: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid healthcheck configuration: ${problems.map(describe).join('; ')}`);
  }
}

export class UsageRequested extends Error {
  override readonly name = 'UsageRequested';
  constructor() {
    super('usage requested');
  }
}

export function describe(problem: Problem): string {
  const got = problem.value === undefined ? 'is missing' : `is ${JSON.stringify(problem.value)}`;
  return `${problem.setting} ${got}: expected ${problem.expected}`;
}

/** Documented defaults; the README's settings table and laptop/healthcheck.env.example mirror these. */
export const DEFAULTS = {
  HOST: '127.0.0.1',
  PORT: 8080,
  UNIT: 'k3s',
  INTERVAL_SECONDS: 5,
  CHECK_TIMEOUT_SECONDS: 4,
  STALE_AFTER_SECONDS: 20,
  MAX_CONNECTIONS: 1024,
} as const;

const READY_PREFIX = 'HEALTHCHECK_READY_';
const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;
// systemd's unit-name alphabet; a leading dash would read as a systemctl option.
const UNIT_NAME = /^[A-Za-z0-9:_.@\\][A-Za-z0-9:_.@\\-]{0,255}$/;
const CHECK_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

interface Setting {
  env: string;
  flag: string;
}

const S = {
  host: { env: 'HEALTHCHECK_HOST', flag: '--host' },
  port: { env: 'HEALTHCHECK_PORT', flag: '--port' },
  unit: { env: 'HEALTHCHECK_UNIT', flag: '--unit' },
  interval: { env: 'HEALTHCHECK_INTERVAL_SECONDS', flag: '--interval' },
  timeout: { env: 'HEALTHCHECK_CHECK_TIMEOUT_SECONDS', flag: '--check-timeout' },
  stale: { env: 'HEALTHCHECK_STALE_AFTER_SECONDS', flag: '--stale-after' },
  maxConnections: { env: 'HEALTHCHECK_MAX_CONNECTIONS', flag: '--max-connections' },
} satisfies Record<string, Setting>;

export const USAGE = `Usage: healthcheck [options]

Answers GET/HEAD /health with 200 "OK" while the node can serve the bot, 503 and a short reason otherwise.
Each option also reads from an environment variable; a flag wins over its variable.

  --host ADDR              ${S.host.env}  address to listen on (default ${DEFAULTS.HOST}; Funnel forwards to it)
  --port N                 ${S.port.env}  TCP port, 0 for any free one (default ${DEFAULTS.PORT})
  --unit NAME              ${S.unit.env}  systemd unit that must be active (default ${DEFAULTS.UNIT})
  --ready NAME=COMMAND     ${READY_PREFIX}<NAME>=COMMAND  extra readiness check, run with /bin/sh -c,
                           ready when it exits 0; repeatable (default none)
  --interval SECONDS       ${S.interval.env}  time between check rounds (default ${DEFAULTS.INTERVAL_SECONDS})
  --check-timeout SECONDS  ${S.timeout.env}  a check running longer fails and is killed (default ${DEFAULTS.CHECK_TIMEOUT_SECONDS})
  --stale-after SECONDS    ${S.stale.env}  a result older than this answers 503 (default ${DEFAULTS.STALE_AFTER_SECONDS})
  --max-connections N      ${S.maxConnections.env}  open connections at most (default ${DEFAULTS.MAX_CONNECTIONS})
  --help                   print this help
`;

class Reader {
  readonly problems: Problem[] = [];
  constructor(
    private readonly env: Env,
    private readonly flags: Readonly<Record<string, string | undefined>>,
  ) {}

  /** The flag's value if given, else the variable's; which one it was names the setting in errors. */
  raw(setting: Setting): { value: string | undefined; from: string } {
    const flag = this.flags[setting.flag.slice(2)];
    if (flag !== undefined) return { value: flag.trim(), from: setting.flag };
    const value = this.env[setting.env]?.trim();
    return { value: value === '' ? undefined : value, from: setting.env };
  }

  bad(setting: string, value: string | undefined, expected: string): void {
    this.problems.push({ setting, value, expected });
  }

  text(setting: Setting, fallback: string, expected: string, valid: (value: string) => boolean): string {
    const { value, from } = this.raw(setting);
    if (value === undefined) return fallback;
    if (valid(value)) return value;
    this.bad(from, value, `${expected} (default ${fallback})`);
    return fallback;
  }

  /** Seconds (decimals allowed), returned in milliseconds. */
  seconds(setting: Setting, fallback: number, min: number, max: number): number {
    const { value, from } = this.raw(setting);
    if (value === undefined) return fallback * 1000;
    const n = Number(value);
    if (DECIMAL.test(value) && n >= min && n <= max) return Math.round(n * 1000);
    this.bad(from, value, `a number of seconds from ${min} to ${max} (default ${fallback})`);
    return fallback * 1000;
  }

  integer(setting: Setting, fallback: number, min: number, max: number): number {
    const { value, from } = this.raw(setting);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (INTEGER.test(value) && n >= min && n <= max) return n;
    this.bad(from, value, `a whole number from ${min} to ${max} (default ${fallback})`);
    return fallback;
  }
}

function isListenAddress(value: string): boolean {
  return value === 'localhost' || isIP(value) !== 0;
}

/** HEALTHCHECK_READY_BOT=... becomes the check "bot"; flags of the same name replace it. */
function readReadiness(read: Reader, env: Env, flags: readonly string[]): ReadinessCheck[] {
  const checks = new Map<string, ReadinessCheck>();
  const add = (setting: string, name: string, command: string | undefined) => {
    if (!CHECK_NAME.test(name)) {
      read.bad(setting, name, 'a check name of 1 to 32 letters, digits or dashes, starting with a letter or digit');
    } else if (command === undefined || command.trim() === '') {
      read.bad(setting, command, `a command for the readiness check "${name}"`);
    } else {
      checks.set(name, { name, command: command.trim() });
    }
  };
  for (const [key, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.startsWith(READY_PREFIX) || value === undefined || value.trim() === '') continue;
    add(key, key.slice(READY_PREFIX.length).toLowerCase().replaceAll('_', '-'), value);
  }
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq < 0) read.bad('--ready', flag, 'NAME=COMMAND');
    else add('--ready', flag.slice(0, eq).trim(), flag.slice(eq + 1));
  }
  return [...checks.values()];
}

type Flags = { values: Record<string, string | undefined>; ready: string[]; help: boolean; problems: Problem[] };

const STRING_FLAGS = new Set([...Object.values(S).map((s) => s.flag.slice(2)), 'ready']);

/** Flags as tokens, so each unknown option, missing value or stray word is named on its own. */
function readFlags(argv: readonly string[]): Flags {
  const flags: Flags = { values: {}, ready: [], help: false, problems: [] };
  const options = Object.fromEntries([...STRING_FLAGS].map((name) => [name, { type: 'string' as const, multiple: name === 'ready' }]));
  const { tokens } = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      flags.problems.push({ setting: 'command line', value: token.value, expected: 'an option such as --port 8080 (see --help)' });
    } else if (token.kind === 'option') {
      if (token.name === 'help') flags.help = true;
      else if (!STRING_FLAGS.has(token.name)) flags.problems.push({ setting: token.rawName, value: token.value, expected: 'one of the options listed by --help' });
      else if (token.value === undefined) flags.problems.push({ setting: `--${token.name}`, value: undefined, expected: 'a value after it' });
      else if (token.name === 'ready') flags.ready.push(token.value);
      else flags.values[token.name] = token.value;
    }
  }
  return flags;
}

/** Reads and checks every setting; throws one ConfigError naming each bad one, or UsageRequested for --help. */
export function readConfig(env: Env, argv: readonly string[] = []): Config {
  const flags = readFlags(argv);
  if (flags.help) throw new UsageRequested();
  const read = new Reader(env, flags.values);
  read.problems.push(...flags.problems);
  const config: Config = {
    host: read.text(S.host, DEFAULTS.HOST, 'an IP address such as 127.0.0.1 or ::1, or localhost', isListenAddress),
    port: read.integer(S.port, DEFAULTS.PORT, 0, 65535),
    unit: read.text(S.unit, DEFAULTS.UNIT, 'a systemd unit name such as k3s or k3s-agent.service', (v) => UNIT_NAME.test(v)),
    readiness: readReadiness(read, env, flags.ready),
    intervalMs: read.seconds(S.interval, DEFAULTS.INTERVAL_SECONDS, 0.05, 3600),
    checkTimeoutMs: read.seconds(S.timeout, DEFAULTS.CHECK_TIMEOUT_SECONDS, 0.05, 600),
    staleAfterMs: read.seconds(S.stale, DEFAULTS.STALE_AFTER_SECONDS, 0.1, 86400),
    maxConnections: read.integer(S.maxConnections, DEFAULTS.MAX_CONNECTIONS, 16, 65536),
  };
  // A slow but healthy round lands interval + timeout after the previous one; staler than that means stuck.
  if (read.problems.length === 0 && config.staleAfterMs < config.intervalMs + config.checkTimeoutMs) {
    const { value, from } = read.raw(S.stale);
    read.bad(from, value ?? String(DEFAULTS.STALE_AFTER_SECONDS), `at least the interval plus the check timeout (${(config.intervalMs + config.checkTimeoutMs) / 1000} s)`);
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
