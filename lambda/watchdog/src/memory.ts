// The watchdog's memory between invocations lives in tags on the worker itself:
// DescribeInstances returns them with the state at no extra cost, and no other AWS service is needed.
import { CONDITIONS, EMPTY_MEMORY, type Condition, type Memory } from './decide.js';

export const TAGS = {
  healthySince: 'watchdog:healthy-since',
  transitionalSince: 'watchdog:transitional-since',
  openConditions: 'watchdog:open-alerts',
  /** Set by the owner: observe and log, never start or stop. */
  hold: 'watchdog:hold',
} as const;

/** Any value holds except an explicit "false": a typo must not let the watchdog act during maintenance. */
export function isHeld(tags: Readonly<Record<string, string>>): boolean {
  const value = tags[TAGS.hold];
  return value !== undefined && value.trim().toLowerCase() !== 'false';
}

/** A time tag, or undefined when absent or garbled: a bad tag must not be acted on. */
function timeTag(tags: Readonly<Record<string, string>>, key: string): number | undefined {
  const time = Date.parse(tags[key] ?? '');
  return Number.isFinite(time) ? time : undefined;
}

export function memoryFromTags(tags: Readonly<Record<string, string>>): Memory {
  const open = (tags[TAGS.openConditions] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is Condition => (CONDITIONS as readonly string[]).includes(s));
  return {
    ...EMPTY_MEMORY,
    healthySince: timeTag(tags, TAGS.healthySince),
    transitionalSince: timeTag(tags, TAGS.transitionalSince),
    openConditions: open,
  };
}

function memoryTags(memory: Memory): Record<string, string> {
  const tags: Record<string, string> = {};
  if (memory.healthySince !== undefined) tags[TAGS.healthySince] = new Date(memory.healthySince).toISOString();
  if (memory.transitionalSince !== undefined) tags[TAGS.transitionalSince] = new Date(memory.transitionalSince).toISOString();
  if (memory.openConditions.length > 0) tags[TAGS.openConditions] = memory.openConditions.join(',');
  return tags;
}

/** The tag writes that turn the worker's current tags into `next`; empty when nothing changed. */
export function tagChanges(current: Readonly<Record<string, string>>, next: Memory): { set: Record<string, string>; remove: string[] } {
  const wanted = memoryTags(next);
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(wanted)) if (current[key] !== value) set[key] = value;
  const remove = [TAGS.healthySince, TAGS.transitionalSince, TAGS.openConditions].filter((key) => key in current && !(key in wanted));
  return { set, remove };
}
