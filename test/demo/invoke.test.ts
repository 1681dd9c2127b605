// scripts/invoke: the built handler once, against "your" AWS account (here the fake on loopback).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { createAwsFake, type AwsFake } from '../fakes/aws.js';
import { fakeAwsEnv, refusedUrl, serve, type Served } from '../fakes/serve.js';
import { INSTANCE_ID, TOPIC_ARN } from '../support/aws.js';

const run = promisify(execFile);

const invoke = suite('scripts/invoke');
let fake: AwsFake;
let aws: Served;
let downUrl: string;

invoke.before(async () => {
  aws = await serve((request) => fake.handle(request));
  downUrl = await refusedUrl();
});

invoke.before.each(() => {
  fake = createAwsFake({ instances: [{ id: INSTANCE_ID, state: 'stopped' }] });
});

invoke.after(() => aws.close());

async function invokeScript(args: string[], env: Record<string, string> = {}) {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fakeAwsEnv(aws.url), PROBE_RETRY_DELAY_SECONDS: '0', ...env };
  return run('scripts/invoke', args, { env: base }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

invoke('is a dry run by default: decides, and starts, tags and emails nothing', async () => {
  const result = await invokeScript(['--instance', INSTANCE_ID, '--url', downUrl, '--topic', TOPIC_ARN]);
  assert.is(result.code, 0, result.stdout);
  assert.match(result.stdout, /decision: would_start_ec2 \(failover\), dry run/);
  assert.equal([...new Set(fake.calls.map((c) => c.action))], ['DescribeInstances']);
});

invoke('acts and emails with --live', async () => {
  const result = await invokeScript(['--live'], { WORKER_INSTANCE_ID: INSTANCE_ID, HEALTHCHECK_URL: downUrl, ALERT_TOPIC_ARN: TOPIC_ARN });
  assert.match(result.stdout, /decision: started_ec2 \(failover\)/);
  assert.is(fake.callsTo('StartInstances').length, 1);
  assert.is(fake.published.length, 1);
});

invoke('takes the settings it was not given from the deployment (terraform output)', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'invoke-tf-'));
  const deployed = { WORKER_INSTANCE_ID: INSTANCE_ID, HEALTHCHECK_URL: downUrl, ALERT_TOPIC_ARN: TOPIC_ARN, PROBE_ATTEMPTS: '2', DRY_RUN: 'false' };
  writeFileSync(join(bin, 'terraform'), `#!/bin/sh\n[ "$3" = "-json" ] && [ "$4" = watchdog_environment ] && echo '${JSON.stringify(deployed)}'\n`);
  chmodSync(join(bin, 'terraform'), 0o755);
  try {
    const result = await invokeScript([], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    assert.match(result.stdout, /come from the deployment/);
    // Two probes: PROBE_ATTEMPTS came from the deployment; DRY_RUN did not, a check stays a dry run.
    assert.match(result.stdout, /laptop: {3}DOWN \(connection \(ECONNREFUSED\), connection \(ECONNREFUSED\)\)/);
    assert.match(result.stdout, /decision: would_start_ec2/);
    assert.is(fake.callsTo('StartInstances').length, 0);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

invoke('names a missing setting instead of failing somewhere deep', async () => {
  const result = await invokeScript(['--url', downUrl]);
  assert.is(result.code, 1);
  assert.match(result.stdout, /ConfigError: invalid watchdog configuration: WORKER_INSTANCE_ID is missing: expected an EC2 instance id/);
  assert.is(fake.calls.length, 0);
});

invoke('refuses an unknown argument with its usage', async () => {
  const result = await run('scripts/invoke', ['--instnace', 'x']).catch((error: { code: number; stderr: string }) => error);
  assert.is((result as { code: number }).code, 2);
  assert.match((result as { stderr: string }).stderr, /unknown argument --instnace/);
});

invoke.run();
