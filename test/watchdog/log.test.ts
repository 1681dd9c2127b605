import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { jsonLogger } from '../../lambda/watchdog/src/log.js';

const log = suite('jsonLogger');

log('writes one JSON object per line, with the level, the time, the message and the fields', () => {
  const lines: string[] = [];
  jsonLogger((line) => lines.push(line))('info', 'decision', { action_taken: 'none_normal_state', probes: [{ ok: true }] });
  assert.is(lines.length, 1);
  assert.not.ok(lines[0]!.includes('\n'), 'a line break would split the entry in CloudWatch');
  const entry = JSON.parse(lines[0]!);
  assert.equal([entry.level, entry.message, entry.action_taken, entry.probes], ['info', 'decision', 'none_normal_state', [{ ok: true }]]);
  assert.ok(Number.isFinite(Date.parse(entry.time)));
});

log('keeps a multi-line error message on one line', () => {
  const lines: string[] = [];
  jsonLogger((line) => lines.push(line))('error', 'failed', { error: 'first\nsecond' });
  assert.is(lines.length, 1);
  assert.is(JSON.parse(lines[0]!).error, 'first\nsecond');
});

log.run();
