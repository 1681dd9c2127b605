// The artefact, not the sources: the built zip is unpacked and its handler run in a separate Node process
// against the fake EC2/SNS served on loopback, on this machine's Node and on Node 24 (the newest Lambda runtime).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { parseRunResult, type RunResult } from '../../scripts/lib/run-result.js';
import { createAwsFake, type AwsFake } from '../fakes/aws.js';
import { fakeAwsEnv, refusedUrl, serve, type Served } from '../fakes/serve.js';
import { INSTANCE_ID, REGION, TOPIC_ARN } from '../support/aws.js';

const run = promisify(execFile);
const ZIP = 'lambda/watchdog/dist/watchdog.zip';
const BUNDLE = 'lambda/watchdog/dist/index.mjs';

type Result = RunResult<{ action_taken: string; laptop_status: string; ec2_state: string; alerts: string[] }>;

let dir: string;
let fake: AwsFake;
let aws: Served;
let laptop: Server;
let laptopUrl: string;

/** A port that refuses connections: a laptop that is off. */
let downUrl: string;

const zip = suite('the built zip');

zip.before(() => {
  assert.ok(existsSync(ZIP), `${ZIP} is missing: run make build first`);
  dir = mkdtempSync(join(tmpdir(), 'watchdog-zip-'));
});

zip.after(() => rmSync(dir, { recursive: true, force: true }));

zip('holds exactly index.mjs, the bundle the build wrote', () => {
  const entries = unzipSync(readFileSync(ZIP));
  assert.equal(Object.keys(entries), ['index.mjs']);
  assert.ok(Buffer.from(entries['index.mjs']!).equals(readFileSync(BUNDLE)));
});

zip('is byte-identical when the same bundle is zipped again, in another time zone', async () => {
  const again = join(dir, 'again.zip');
  await run(process.execPath, ['scripts/lib/zip.mjs', again, `index.mjs=${BUNDLE}`], { env: { ...process.env, TZ: 'Pacific/Kiritimati' } });
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.is(sha(again), sha(ZIP));
});

zip('stays under the 100 KB size aim', () => {
  assert.ok(readFileSync(ZIP).byteLength < 100_000, `${readFileSync(ZIP).byteLength} bytes`);
});

zip.run();

const built = suite('the built handler, run from the zip');

built.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'watchdog-run-'));
  writeFileSync(join(dir, 'index.mjs'), unzipSync(readFileSync(ZIP))['index.mjs']!);
  fake = createAwsFake({ instances: [{ id: INSTANCE_ID, state: 'stopped' }] });
  aws = await serve(fake.handle);
  laptop = createServer((_req, res) => res.end('OK'));
  await new Promise<void>((resolve) => laptop.listen(0, '127.0.0.1', resolve));
  laptopUrl = `http://127.0.0.1:${(laptop.address() as AddressInfo).port}/health`;
  downUrl = await refusedUrl();
});

built.after(async () => {
  await aws.close();
  await new Promise((resolve) => laptop.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The environment Lambda would give the function, pointed at the fakes; nothing inherited but PATH and HOME. */
function lambdaEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...fakeAwsEnv(aws.url, REGION),
    WORKER_INSTANCE_ID: INSTANCE_ID,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    PROBE_TIMEOUT_SECONDS: '2',
    PROBE_RETRY_DELAY_SECONDS: '0',
    ...overrides,
  };
}

async function invoke(node: string[], env: Record<string, string>): Promise<Result> {
  const [command, ...args] = node;
  const { stdout } = await run(command!, [...args, 'scripts/lib/run-handler.mjs', join(dir, 'index.mjs')], { env, timeout: 120_000 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const result: Result | undefined = parseRunResult(stdout);
  assert.ok(result, `no RESULT line in:\n${stdout}`);
  return result!;
}

const runtimes: Array<[string, string[], string]> = [
  ['this machine', [process.execPath], process.version.split('.')[0]!],
  // The registry's node@24 package brings the Node 24 binary; npx caches it after the first run.
  ['Node 24', ['npx', '-y', 'node@24'], 'v24'],
];

for (const [name, node, major] of runtimes) {
  built(`on ${name}, leaves a healthy laptop's stopped worker alone`, async () => {
    fake.setState(INSTANCE_ID, 'stopped');
    const result = await invoke(node, lambdaEnv({ HEALTHCHECK_URL: laptopUrl }));
    assert.ok(result.node.startsWith(`${major}.`), `ran on ${result.node}`);
    assert.equal(result.summary && [result.summary.laptop_status, result.summary.ec2_state, result.summary.action_taken], ['UP', 'stopped', 'none_normal_state']);
  });

  built(`on ${name}, fails over a laptop that is off and sends the alert`, async () => {
    fake.setState(INSTANCE_ID, 'stopped');
    const before = fake.published.length;
    const result = await invoke(node, lambdaEnv({ HEALTHCHECK_URL: downUrl }));
    assert.is(result.summary?.action_taken, 'started_ec2');
    assert.is(fake.published.length, before + 1);
    assert.match(fake.published.at(-1)!.subject ?? '', /Failover: laptop down/);
  });

  built(`on ${name}, refuses a broken configuration with a message naming the variable, and emails it`, async () => {
    const before = fake.published.length;
    const result = await invoke(node, lambdaEnv({ HEALTHCHECK_URL: 'http://laptop.example/health' }));
    assert.is(result.ok, false);
    assert.is(result.error?.name, 'ConfigError');
    assert.match(result.error?.message ?? '', /HEALTHCHECK_URL is "http:\/\/laptop.example\/health": expected/);
    assert.equal(fake.published.slice(before).map((p) => p.subject), ['[watchdog] Configuration broken (HEALTHCHECK_URL): no failover possible']);
  });
}

built.run();
