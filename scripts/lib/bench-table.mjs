// Prints the figures the benchmark groups emitted (one JSON object a line) as one aligned table.
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const header = { group: 'group', metric: 'metric', value: 'value', aim: 'aim' };
const cols = ['group', 'metric', 'value', 'aim'];
const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[header, ...rows].map((r) => String(r[c] ?? '').length))]));
const line = (r) => `| ${cols.map((c) => String(r[c] ?? '').padEnd(width[c])).join(' | ')} |`;
console.log(['', line(header), `|${cols.map((c) => '-'.repeat(width[c] + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
