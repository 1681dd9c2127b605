// Reads `terraform test -json -verbose` on stdin and writes the worker's user data, as Terraform
// rendered it in each run, to OUT_DIR/<run>.sh. Prints each run's result, the errors, and the
// summary as "N passed, N failed"; exits 1 if a run failed or nothing was rendered.
// Usage: terraform test -json -verbose -filter=tests/user_data.tftest.hcl | node scripts/lib/tf-user-data.mjs OUT_DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node scripts/lib/tf-user-data.mjs OUT_DIR < terraform-test.json');
  process.exit(2);
}

const WORKER = 'aws_instance.worker[0]';
let written = 0;
let summary;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.startsWith('{')) continue;
  // The state events carry the provider schemas (about 13 MB a line): read the type, the event's last
  // key, from the end of the line, and parse only the lines we need.
  const type = /"type":"([a-z_]+)"}$/.exec(line.slice(-100))?.[1];
  if (type === 'test_state') {
    const event = JSON.parse(line);
    const worker = event.test_state.root_module?.resources?.find((r) => r.address === WORKER);
    if (typeof worker?.values?.user_data !== 'string') continue;
    writeFileSync(join(outDir, `${event['@testrun']}.sh`), worker.values.user_data);
    written += 1;
  } else if (type === 'test_run' || type === 'diagnostic') {
    const event = JSON.parse(line);
    if (type === 'diagnostic' || event.test_run?.progress === 'complete') console.log(`  ${event['@message']}`);
  } else if (type === 'test_summary') {
    summary = JSON.parse(line).test_summary;
  }
}
const passed = summary?.passed ?? 0;
const failed = (summary?.failed ?? 0) + (summary?.errored ?? 0) + (summary ? 0 : 1);
console.log(`${passed} passed, ${failed} failed`);
if (written === 0) console.error(`no ${WORKER} user data in the test output`);
process.exit(failed > 0 || written === 0 ? 1 : 0);
