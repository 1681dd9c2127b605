// Terraform and the watchdog's code must agree. What the code really reads and calls is measured
// (a recording Proxy, the SDK commands it constructs, the tags it writes) and compared, both ways,
// with what terraform/*.tf sets and grants, parsed with HashiCorp's HCL parser (@cdktf/hcl2json).
import { parse } from '@cdktf/hcl2json';
import { readdir, readFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS, readConfig, type Env } from '../../lambda/watchdog/src/config.js';
import { TAGS, tagChanges } from '../../lambda/watchdog/src/memory.js';
import { variablesTable } from '../../scripts/lib/tf-variables-table.js';

const ROOT = new URL('../../', import.meta.url);
const SRC = new URL('lambda/watchdog/src/', ROOT);

// hcl2json mirrors HCL: every block is a list, every expression a "${...}" string.
type Hcl = Record<string, any>;
const parsed = new Map<string, Promise<Hcl>>();
function tf(file: string): Promise<Hcl> {
  if (!parsed.has(file)) parsed.set(file, readFile(new URL(`terraform/${file}`, ROOT), 'utf8').then((text) => parse(file, text)));
  return parsed.get(file)!;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** Every environment variable readConfig reads, with a valid environment and with an empty one. */
function keysReadByConfig(): string[] {
  const valid: Env = {
    WORKER_INSTANCE_ID: 'i-0123456789abcdef0',
    HEALTHCHECK_URL: 'https://laptop.tail1234.ts.net/health',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-3:123456789012:alerts',
  };
  const read = new Set<string>();
  for (const env of [valid, {}]) {
    const recording = new Proxy(env, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key, receiver);
      },
    });
    try {
      readConfig(recording);
    } catch {
      // The empty environment is invalid; what matters is what was read on the way.
    }
  }
  return sorted(read);
}

/** ec2:X / sns:X for every `new XCommand(` the watchdog's source constructs, by the client it comes from. */
async function actionsCalledByCode(): Promise<string[]> {
  const actions: string[] = [];
  for (const file of (await readdir(SRC)).filter((f) => f.endsWith('.ts'))) {
    const source = await readFile(new URL(file, SRC), 'utf8');
    const service = new Map<string, string>();
    for (const [, names, client] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of names!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) service.set(name, client!);
    }
    for (const [, command] of source.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const client = service.get(command!);
      assert.ok(client, `${file}: ${command} is not imported from an @aws-sdk client`);
      actions.push(`${client}:${command!.replace(/Command$/, '')}`);
    }
  }
  return sorted(actions);
}

/** The tag keys the watchdog ever sets or deletes: tagChanges with every memory field set, then cleared. */
function tagKeysWrittenByCode(): string[] {
  const full = { healthySince: Date.parse('2026-01-01T00:00:00Z'), transitionalSince: Date.parse('2026-01-01T00:00:00Z'), openConditions: ['start-failed' as const] };
  const set = tagChanges({}, full).set;
  const { remove } = tagChanges(set, { healthySince: undefined, transitionalSince: undefined, openConditions: [] });
  return sorted([...Object.keys(set), ...remove]);
}

async function watchdogStatements(): Promise<Array<{ sid: string; actions: string[]; condition?: Hcl[] }>> {
  return (await tf('iam.tf')).data.aws_iam_policy_document.watchdog[0].statement;
}

const drift = suite('terraform drift: the watchdog code and terraform/*.tf agree');

drift('the Lambda sets exactly the environment variables config.ts reads', async () => {
  const lambda = await tf('lambda.tf');
  const environment: Record<string, string> = lambda.locals[0].watchdog_environment;
  assert.equal(sorted(Object.keys(environment)), keysReadByConfig());
  assert.equal(lambda.resource.aws_lambda_function.watchdog[0].environment, [{ variables: '${local.watchdog_environment}' }]);
});

drift('each setting comes from its own variable, with the default config.ts documents', async () => {
  const environment: Record<string, string> = (await tf('lambda.tf')).locals[0].watchdog_environment;
  const variables: Record<string, Array<{ default?: unknown }>> = (await tf('variables.tf')).variable;
  for (const [name, expression] of Object.entries(environment)) {
    if (name === 'WORKER_INSTANCE_ID' || name === 'ALERT_TOPIC_ARN') continue; // from the worker and the topic
    const variable = name.toLowerCase();
    assert.match(expression, new RegExp(`\\bvar\\.${variable}\\b`), `${name} must come from var.${variable}`);
    assert.ok(variables[variable], `variables.tf has no variable "${variable}"`);
  }
  for (const [name, value] of Object.entries(DEFAULTS)) {
    assert.is(variables[name.toLowerCase()]![0]!.default, value, `default of ${name.toLowerCase()}`);
  }
});

drift('the watchdog role grants exactly the EC2 and SNS actions the code calls', async () => {
  const called = await actionsCalledByCode();
  assert.equal(called, ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DescribeInstances', 'ec2:StartInstances', 'ec2:StopInstances', 'sns:Publish']);
  const granted = (await watchdogStatements()).flatMap((s) => s.actions).filter((a) => /^(ec2|sns):/.test(a));
  assert.equal(sorted(granted), called);
});

drift('tag writes are limited to exactly the keys the code writes, never the hold tag', async () => {
  const written = tagKeysWrittenByCode();
  assert.equal(written, sorted([TAGS.healthySince, TAGS.openConditions, TAGS.transitionalSince]));
  assert.not.ok(written.includes(TAGS.hold));
  assert.equal(sorted((await tf('iam.tf')).locals[0].watchdog_tag_keys), written);
  const tagging = (await watchdogStatements()).find((s) => s.actions.includes('ec2:CreateTags'));
  assert.equal(tagging?.condition?.find((c) => c.test === 'ForAllValues:StringEquals'), {
    test: 'ForAllValues:StringEquals',
    variable: 'aws:TagKeys',
    values: '${local.watchdog_tag_keys}',
  });
});

drift("terraform apply leaves every watchdog tag alone (the provider's ignore_tags)", async () => {
  const prefixes: string[] = (await tf('providers.tf')).provider.aws[0].ignore_tags[0].key_prefixes;
  for (const key of Object.values(TAGS)) {
    assert.ok(
      prefixes.some((prefix) => key.startsWith(prefix)),
      `${key} is not ignored: an apply would delete it`,
    );
  }
});

drift('every variable has a type and a description, every output a description', async () => {
  for (const [name, [variable]] of Object.entries((await tf('variables.tf')).variable as Record<string, Hcl[]>)) {
    assert.ok(variable!.type && variable!.description, `variable ${name}`);
  }
  const outputs = (await tf('outputs.tf')).output as Record<string, Hcl[]>;
  for (const [name, [output]] of Object.entries(outputs)) assert.ok(output!.description, `output ${name}`);
  for (const name of ['function_name', 'log_group_name', 'worker_instance_id', 'alert_topic_arn', 'schedule_expression']) {
    assert.ok(outputs[name], `output ${name} is missing`);
  }
});

drift("the README's variables table is the one variables.tf generates", async () => {
  const table = await variablesTable(await readFile(new URL('terraform/variables.tf', ROOT), 'utf8'));
  const readme = await readFile(new URL('README.md', ROOT), 'utf8');
  assert.ok(readme.includes(table), 'README.md is out of date: paste the output of `npx tsx scripts/lib/tf-variables-table.ts`');
});

drift.run();
