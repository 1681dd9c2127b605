// Runs a built watchdog bundle's handler once, in this process, with the environment as its configuration.
// Its own JSON log lines go to stdout as in Lambda; the outcome is the last line: "RESULT {json}".
// Usage: node scripts/lib/run-handler.mjs path/to/index.mjs
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
if (!bundle) {
  console.error('usage: node scripts/lib/run-handler.mjs path/to/index.mjs');
  process.exit(2);
}
const started = performance.now();
const { handler } = await import(pathToFileURL(resolve(bundle)).href);
const importMs = performance.now() - started;
try {
  const summary = await handler({ source: 'run-handler' }, {});
  console.log(`RESULT ${JSON.stringify({ ok: true, node: process.version, importMs, summary })}`);
} catch (error) {
  console.log(`RESULT ${JSON.stringify({ ok: false, node: process.version, importMs, error: { name: error?.name, message: error?.message } })}`);
  process.exitCode = 1;
}
