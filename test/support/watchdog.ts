// A watchdog wired to the fakes: real SDK clients and real fetch, through msw, on a virtual clock.
// Each tick advances the clock by the schedule's minute; re-probe delays advance it instead of sleeping.
import { createPublisher } from '../../lambda/watchdog/src/alerts.js';
import { readConfig, type Config } from '../../lambda/watchdog/src/config.js';
import { createWorkerApi } from '../../lambda/watchdog/src/ec2.js';
import { createHandler, type Handler, type Summary } from '../../lambda/watchdog/src/handler.js';
import type { Level } from '../../lambda/watchdog/src/log.js';
import { createAwsFake, type FakeState } from '../fakes/aws.js';
import { awsHandlers, HEALTH_URL, INSTANCE_ID, testClients, TOPIC_ARN } from './aws.js';
import { createLaptop } from './laptop.js';
import { server } from './msw.js';

export const START = Date.parse('2026-12-04T12:00:00Z');
export const MINUTE = 60_000;

export interface LogLine {
  level: Level;
  message: string;
  [field: string]: unknown;
}

export interface WatchdogOptions {
  state?: FakeState;
  tags?: Record<string, string>;
  config?: Partial<Config>;
  alertTopic?: string | undefined;
  /** How long pending and stopping last on the fake (default 30 s of the virtual clock). */
  transitionMs?: number;
  /** The SDK's attempts per call (default 1: injected errors surface at once). */
  maxAttempts?: number;
  /** Each AWS call's deadline (default 2 s). */
  apiTimeoutMs?: number;
}

export function createWatchdog(options: WatchdogOptions = {}) {
  let clock = START;
  const now = () => clock;
  const transitionMs = options.transitionMs ?? 30_000;
  const fake = createAwsFake({ now, pendingMs: transitionMs, stoppingMs: transitionMs, instances: [{ id: INSTANCE_ID, state: options.state ?? 'stopped', tags: options.tags ?? {} }] });
  const laptop = createLaptop();
  server.use(...awsHandlers(fake), laptop.handler);
  const logs: LogLine[] = [];
  const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => void logs.push({ level, message, ...fields });
  const config: Config = {
    ...readConfig({ WORKER_INSTANCE_ID: INSTANCE_ID, HEALTHCHECK_URL: HEALTH_URL }),
    probeTimeoutMs: 300,
    ...options.config,
  };
  const topic = 'alertTopic' in options ? options.alertTopic : TOPIC_ARN;

  /** A fresh Lambda container: new clients, no memory but the worker's tags. */
  function coldStart(): Handler {
    const { ec2, sns } = testClients(options.maxAttempts);
    return createHandler(config, {
      worker: createWorkerApi(ec2, INSTANCE_ID, options.apiTimeoutMs ?? 2000),
      publish: createPublisher(sns, topic, log, 2000),
      log,
      now,
      sleep: async (ms) => {
        clock += ms;
      },
    });
  }

  let handler = coldStart();

  return {
    fake,
    laptop,
    logs,
    config,
    get now() {
      return clock;
    },
    /** One scheduled invocation, then the minute until the next one. */
    async tick(): Promise<Summary> {
      try {
        return await handler();
      } finally {
        clock += MINUTE;
      }
    },
    async ticks(count: number): Promise<Summary[]> {
      const all: Summary[] = [];
      for (let i = 0; i < count; i += 1) all.push(await this.tick());
      return all;
    },
    coldStart() {
      handler = coldStart();
    },
    /** Another container of the same function, as when EventBridge delivers a tick twice. */
    twin(): Handler {
      return coldStart();
    },
    subjects(): string[] {
      return fake.published.map((p) => p.subject ?? '');
    },
  };
}
