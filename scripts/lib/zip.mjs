// Writes a deterministic zip: fixed timestamps, fixed permissions, entries in name order,
// so the same bundle always gives the same bytes and Terraform's source_code_hash moves only with the code.
// Usage: node scripts/lib/zip.mjs OUT.zip NAME=FILE [NAME=FILE...]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { zipSync } from 'fflate';

// The earliest time a zip can hold is 1980-01-01; any fixed time will do. Local time, as the zip format is.
const FIXED_MTIME = new Date(1980, 0, 2, 0, 0, 0);
const UNIX = 3;
const REGULAR_FILE_0644 = 0o100644 << 16;

const [out, ...pairs] = process.argv.slice(2);
if (!out || pairs.length === 0 || pairs.some((p) => !p.includes('='))) {
  console.error('usage: node scripts/lib/zip.mjs OUT.zip NAME=FILE [NAME=FILE...]');
  process.exit(2);
}
const entries = Object.fromEntries(
  pairs
    .map((pair) => pair.split('='))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, file]) => [name, [readFileSync(file), { level: 9, mtime: FIXED_MTIME, os: UNIX, attrs: REGULAR_FILE_0644 }]]),
);
const zip = zipSync(entries);
writeFileSync(out, zip);
const sha256 = createHash('sha256').update(zip).digest('hex');
console.log(`==> ${relative(process.cwd(), out)}: ${zip.byteLength} bytes (${(zip.byteLength / 1024).toFixed(1)} KiB), sha256 ${sha256}`);
