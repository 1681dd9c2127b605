// Every shell script in the repository passes shellcheck. A missing shellcheck fails the test:
// CI installs it (.ci/run), and a skipped lint would look like a clean one.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';

const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage', '.terraform']);

function isShellScript(path: string): boolean {
  // Terraform templates are shell only once rendered; scripts/test-terraform lints them that way.
  if (path.endsWith('.tftpl')) return false;
  if (path.endsWith('.sh')) return true;
  const head = readFileSync(path, { encoding: 'utf8', flag: 'r' }).slice(0, 64);
  return /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/bin\/|\/usr\/bin\/)?(?:ba)?sh\b/.test(head);
}

/** Scripts by extension or by shebang, anywhere outside dependencies and build outputs. */
function shellScripts(dir = '.'): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...shellScripts(path));
    else if (entry.isFile() && statSync(path).size > 0 && isShellScript(path)) found.push(path);
  }
  return found.sort();
}

const lint = suite('repository: shell scripts');

lint('finds the scripts it must check, including CI entry and the install script', () => {
  const scripts = shellScripts();
  for (const expected of ['.ci/run', 'scripts/build', 'scripts/test', 'scripts/lib/common.sh', 'scripts/install-laptop.sh', 'scripts/bench-laptop']) {
    assert.ok(scripts.includes(expected), `${expected} is among ${scripts.join(', ')}`);
  }
});

lint('every shell script passes shellcheck', () => {
  const scripts = shellScripts();
  const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) assert.unreachable(`shellcheck could not run (${(result.error as NodeJS.ErrnoException).code}): install it (apt-get install shellcheck); .ci/run does`);
  assert.is(result.stdout + result.stderr, '', 'shellcheck findings');
  assert.is(result.status, 0);
});

lint.run();
