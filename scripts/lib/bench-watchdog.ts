// Watchdog figures, measured in one run on this machine: the built handler's healthy tick with simulated
// network delays (probe and EC2 read overlap, so the tick should cost the slower, not the sum),
// the zip size, and the cold import time of the bundle in fresh Node processes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createAwsFake } from '../../test/fakes/aws.js';
import { fakeAwsEnv, serve } from '../../test/fakes/serve.js';

const run = promisify(execFile);
const BUNDLE = resolve('lambda/watchdog/dist/index.mjs');
const ZIP = 'lambda/watchdog/dist/watchdog.zip';
const PROBE_MS = 200;
const EC2_MS = 150;
const TICKS = 15;
const IMPORTS = 15;
const INSTANCE_ID = 'i-0123456789abcdef0';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const figure = (metric: string, value: string, aim = '') => console.log(`BENCH ${JSON.stringify({ group: 'watchdog', metric, value, aim })}`);

const fake = createAwsFake({ instances: [{ id: INSTANCE_ID, state: 'stopped' }], latencyMs: { DescribeInstances: EC2_MS } });
const aws = await serve(fake.handle);
const laptop = createServer((_req, res) => setTimeout(() => res.end('OK'), PROBE_MS));
await new Promise<void>((done) => laptop.listen(0, '127.0.0.1', done));

const env = {
  ...fakeAwsEnv(aws.url),
  WORKER_INSTANCE_ID: INSTANCE_ID,
  HEALTHCHECK_URL: `http://127.0.0.1:${(laptop.address() as AddressInfo).port}/health`,
};
Object.assign(process.env, env);

// The handler logs a JSON line per tick; the benchmark keeps only its own output.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;
const { handler } = (await import(pathToFileURL(BUNDLE).href)) as { handler: () => Promise<{ action_taken: string }> };
const ticks: number[] = [];
for (let i = 0; i < TICKS + 1; i += 1) {
  const started = performance.now();
  const summary = await handler();
  if (summary.action_taken !== 'none_normal_state') throw new Error(`unexpected tick: ${JSON.stringify(summary)}`);
  if (i > 0) ticks.push(performance.now() - started); // the first tick opens the connections
}
process.stdout.write = write;

const tick = median(ticks);
console.log(`healthy tick, median of ${TICKS} warm invocations: ${tick.toFixed(0)} ms (probe ${PROBE_MS} ms, EC2 read ${EC2_MS} ms)`);
figure('healthy tick (probe 200 ms, EC2 150 ms)', `${tick.toFixed(0)} ms`, `~${Math.max(PROBE_MS, EC2_MS)} ms, not ${PROBE_MS + EC2_MS}`);
figure('handler overhead over the slower call', `${(tick - Math.max(PROBE_MS, EC2_MS)).toFixed(1)} ms`);

figure('zip size', `${(readFileSync(ZIP).byteLength / 1024).toFixed(1)} KiB (${readFileSync(ZIP).byteLength} B)`, '< 100 KB');

const importScript = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(BUNDLE).href)}); console.log(performance.now() - t);`;
const imports: number[] = [];
for (let i = 0; i < IMPORTS; i += 1) {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', importScript], { env: { ...process.env, ...env } });
  imports.push(Number(stdout.trim()));
}
console.log(`cold import of index.mjs, ${IMPORTS} fresh processes on Node ${process.version}: ${imports.map((t) => t.toFixed(0)).join(' ')} ms`);
figure(`cold import, median of ${IMPORTS} (Node ${process.version})`, `${median(imports).toFixed(1)} ms`, '< 50 ms');

// For comparison, the same two SDK clients loaded unbundled from node_modules, as a zip of sources would.
const unbundledScript = `const t = performance.now(); await import('@aws-sdk/client-ec2'); await import('@aws-sdk/client-sns'); console.log(performance.now() - t);`;
const unbundled: number[] = [];
for (let i = 0; i < IMPORTS; i += 1) {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', unbundledScript], { env: { ...process.env, ...env } });
  unbundled.push(Number(stdout.trim()));
}
figure(`for comparison: SDK clients from node_modules, median of ${IMPORTS}`, `${median(unbundled).toFixed(1)} ms`);

await aws.close();
laptop.closeAllConnections();
laptop.close();
