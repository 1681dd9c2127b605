// Runs a built watchdog bundle's handler once, in this process, with the environment as its configuration.
// Its own JSON log lines go to stdout as in Lambda; the outcome is one line "RESULT {json}".
// Usage: node scripts/lib/run-handler.mjs path/to/index.mjs [--summary]
// --summary adds a few readable lines about the decision after the RESULT line.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundle, ...flags] = process.argv.slice(2);
if (!bundle || flags.some((f) => f !== '--summary')) {
  console.error('usage: node scripts/lib/run-handler.mjs path/to/index.mjs [--summary]');
  process.exit(2);
}
const started = performance.now();
const { handler } = await import(pathToFileURL(resolve(bundle)).href);
const importMs = performance.now() - started;
try {
  const summary = await handler({ source: 'run-handler' }, {});
  console.log(`RESULT ${JSON.stringify({ ok: true, node: process.version, importMs, summary })}`);
  if (flags.includes('--summary')) {
    const probes = summary.probes.map((p) => (p.ok ? `HTTP ${p.status}` : `${p.cause}${p.status ? ` ${p.status}` : ''}${p.detail ? ` (${p.detail})` : ''}`));
    console.log(`\nlaptop:   ${summary.laptop_status} (${probes.join(', ')})`);
    console.log(`EC2:      ${summary.ec2_state}${summary.hold ? ' (hold tag set)' : ''}`);
    console.log(`decision: ${summary.action_taken} (${summary.reason})${summary.dry_run ? ', dry run' : ''}`);
    console.log(`alerts:   ${summary.alerts.length === 0 ? 'none' : summary.alerts.join(' | ')}`);
  }
} catch (error) {
  console.log(`RESULT ${JSON.stringify({ ok: false, node: process.version, importMs, error: { name: error?.name, message: error?.message } })}`);
  if (flags.includes('--summary')) console.log(`\n${error?.name}: ${error?.message}`);
  process.exitCode = 1;
}
