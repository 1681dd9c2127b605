import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import type { Memory } from '../../lambda/watchdog/src/decide.js';
import { isHeld, memoryFromTags, tagChanges, TAGS } from '../../lambda/watchdog/src/memory.js';

const memory = suite('memory in the worker tags');
const SINCE = Date.parse('2026-12-04T12:00:00Z');

memory('reads back what it wrote', () => {
  const memory: Memory = { healthySince: SINCE, transitionalSince: SINCE + 1000, openConditions: ['start-failed', 'ec2-unreadable'] };
  assert.equal(memoryFromTags(tagChanges({}, memory).set), memory);
});

memory('writes nothing when nothing changed', () => {
  const tags = { [TAGS.healthySince]: new Date(SINCE).toISOString(), Name: 'worker' };
  assert.equal(tagChanges(tags, { healthySince: SINCE, transitionalSince: undefined, openConditions: [] }), { set: {}, remove: [] });
});

memory('deletes its tags when the memory is empty, and never touches the others', () => {
  const tags = { [TAGS.healthySince]: 'x', [TAGS.transitionalSince]: 'y', [TAGS.openConditions]: 'start-failed', [TAGS.hold]: 'true', Name: 'worker' };
  assert.equal(tagChanges(tags, { healthySince: undefined, transitionalSince: undefined, openConditions: [] }), {
    set: {},
    remove: [TAGS.healthySince, TAGS.transitionalSince, TAGS.openConditions],
  });
});

memory('ignores a garbled tag rather than acting on it', () => {
  assert.equal(memoryFromTags({ [TAGS.healthySince]: 'yesterday', [TAGS.openConditions]: 'bogus, start-failed' }), {
    healthySince: undefined,
    transitionalSince: undefined,
    openConditions: ['start-failed'],
  });
});

memory('holds for any value of watchdog:hold but "false"', () => {
  assert.equal(
    ['true', 'TRUE', 'yes', '', 'maintenance', 'false', ' False '].map((v) => isHeld({ [TAGS.hold]: v })),
    [true, true, true, true, true, false, false],
  );
  assert.is(isHeld({}), false);
});

memory.run();
