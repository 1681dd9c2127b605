// The README's table of Terraform variables, generated from terraform/variables.tf so the two cannot
// drift (test/terraform/drift.test.ts compares them). Required variables first, then by name.
// Usage: npx tsx scripts/lib/tf-variables-table.ts   (prints the Markdown table)
import { parse } from '@cdktf/hcl2json';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface Variable {
  type?: string;
  description?: string;
  default?: unknown;
}

const unwrap = (expression: string | undefined) => (expression ?? '').replace(/^\$\{(.*)\}$/s, '$1');

function defaultCell(variable: Variable): string {
  if (!('default' in variable)) return 'required';
  return `\`${JSON.stringify(variable.default)}\``;
}

export async function variablesTable(variablesTf: string): Promise<string> {
  const hcl = await parse('variables.tf', variablesTf);
  const variables = Object.entries(hcl.variable as Record<string, Variable[]>).map(([name, [variable]]) => ({ name, ...variable! }));
  variables.sort((a, b) => Number('default' in a) - Number('default' in b) || a.name.localeCompare(b.name));
  const rows = variables.map((v) => `| \`${v.name}\` | \`${unwrap(v.type)}\` | ${defaultCell(v)} | ${(v.description ?? '').replaceAll('|', '\\|')} |`);
  return ['| Name | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

// No top-level await: the tests load this module through uvu's require hook.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  readFile(new URL('../../terraform/variables.tf', import.meta.url), 'utf8')
    .then(variablesTable)
    .then((table) => console.log(table));
}
