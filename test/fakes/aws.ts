// A small, stateful stand-in for the EC2 and SNS query APIs, as one (Request) => Response function:
// msw serves it to the tests, and node:http can serve it on loopback for the local rehearsal.
// It speaks the wire protocol (form-encoded POST in, XML out), so the real AWS SDK clients talk to it unchanged.

export type FakeState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

const STATE_CODES: Record<FakeState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

export type Ec2Action = 'DescribeInstances' | 'StartInstances' | 'StopInstances' | 'CreateTags' | 'DeleteTags';
export type SnsAction = 'Publish';
export type FakeAction = Ec2Action | SnsAction;

export interface FakeInstance {
  id: string;
  state: FakeState;
  tags: Record<string, string>;
  /** When the instance entered its state, on the fake's clock. */
  since: number;
}

export interface Transition {
  id: string;
  state: FakeState;
  at: number;
}

export interface RecordedCall {
  action: string;
  params: Record<string, string>;
  at: number;
}

export interface PublishedMessage {
  topicArn: string;
  subject: string | undefined;
  message: string;
  at: number;
}

export interface FakeAwsOptions {
  now?: () => number;
  /** How long pending and stopping last before running and stopped (0: the next read sees the end state). */
  pendingMs?: number;
  stoppingMs?: number;
  instances?: Array<{ id: string; state?: FakeState; tags?: Record<string, string> }>;
  /** Simulated latency per action, for benchmarks and timeout tests. */
  latencyMs?: Partial<Record<FakeAction, number>>;
}

interface Injected {
  code: string;
  status: number;
  remaining: number;
  /** Carry the call out, then answer the error anyway: a lost answer, which the SDK retries. */
  afterActing: boolean;
}

/** Error codes the tests inject, with the HTTP status AWS answers them with. */
const ERROR_STATUS: Record<string, number> = {
  RequestLimitExceeded: 503,
  UnauthorizedOperation: 403,
  AuthFailure: 401,
  'InvalidInstanceID.NotFound': 400,
  IncorrectInstanceState: 400,
  InsufficientInstanceCapacity: 500,
  InternalError: 500,
  AuthorizationError: 403,
  NotFound: 404,
  Throttled: 400,
};

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function xml(body: string, status = 200): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, { status, headers: { 'content-type': 'text/xml;charset=UTF-8' } });
}

function indexed(params: Record<string, string>, pattern: RegExp): string[] {
  return Object.entries(params)
    .map(([key, value]) => [key.match(pattern), value] as const)
    .filter(([m]) => m !== null)
    .sort(([a], [b]) => Number(a![1]) - Number(b![1]))
    .map(([, value]) => value);
}

export function createAwsFake(options: FakeAwsOptions = {}) {
  const now = options.now ?? Date.now;
  const pendingMs = options.pendingMs ?? 0;
  const stoppingMs = options.stoppingMs ?? 0;
  const instances = new Map<string, FakeInstance>();
  for (const i of options.instances ?? []) instances.set(i.id, { id: i.id, state: i.state ?? 'stopped', tags: { ...i.tags }, since: now() });
  const failures = new Map<string, Injected>();
  const calls: RecordedCall[] = [];
  const published: PublishedMessage[] = [];
  const transitions: Transition[] = [];
  const latencyMs: Partial<Record<FakeAction, number>> = { ...options.latencyMs };
  let requestCounter = 0;

  /** pending and stopping end by themselves, as on EC2. */
  function settle(instance: FakeInstance): FakeInstance {
    const age = now() - instance.since;
    if (instance.state === 'pending' && age >= pendingMs) move(instance, 'running', instance.since + pendingMs);
    if (instance.state === 'stopping' && age >= stoppingMs) move(instance, 'stopped', instance.since + stoppingMs);
    return instance;
  }

  function move(instance: FakeInstance, state: FakeState, at = now()) {
    instance.state = state;
    instance.since = at;
    transitions.push({ id: instance.id, state, at });
  }

  const requestId = () => `fake-${++requestCounter}`;

  function ec2Error(code: string, message: string, status = ERROR_STATUS[code] ?? 400): Response {
    return xml(`<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId()}</RequestID></Response>`, status);
  }

  function snsError(code: string, message: string, status = ERROR_STATUS[code] ?? 400): Response {
    return xml(
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      status,
    );
  }

  function stateXml(tag: string, state: FakeState) {
    return `<${tag}><code>${STATE_CODES[state]}</code><name>${state}</name></${tag}>`;
  }

  function lookup(params: Record<string, string>, key: RegExp): FakeInstance | Response {
    const ids = indexed(params, key);
    const id = ids[0];
    const instance = id === undefined ? undefined : instances.get(id);
    if (!instance || ids.length !== 1) return ec2Error('InvalidInstanceID.NotFound', `The instance ID '${ids.join(',')}' does not exist`);
    return settle(instance);
  }

  function changeState(params: Record<string, string>, start: boolean): Response {
    const found = lookup(params, /^InstanceId\.(\d+)$/);
    if (found instanceof Response) return found;
    const previous = found.state;
    const allowedFrom: FakeState[] = start ? ['stopped', 'pending', 'running'] : ['running', 'pending', 'stopping', 'stopped'];
    if (!allowedFrom.includes(previous)) {
      return ec2Error('IncorrectInstanceState', `The instance '${found.id}' is not in a state from which it can be ${start ? 'started' : 'stopped'}.`);
    }
    if (start && previous === 'stopped') move(found, 'pending');
    if (!start && (previous === 'running' || previous === 'pending')) move(found, 'stopping');
    settle(found);
    const tag = start ? 'StartInstancesResponse' : 'StopInstancesResponse';
    return xml(
      `<${tag} xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId()}</requestId><instancesSet><item><instanceId>${found.id}</instanceId>${stateXml('currentState', found.state)}${stateXml('previousState', previous)}</item></instancesSet></${tag}>`,
    );
  }

  function describe(params: Record<string, string>): Response {
    const found = lookup(params, /^InstanceId\.(\d+)$/);
    if (found instanceof Response) return found;
    const tags = Object.entries(found.tags)
      .map(([k, v]) => `<item><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></item>`)
      .join('');
    return xml(
      `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId()}</requestId><reservationSet><item><reservationId>r-0fake</reservationId><instancesSet><item><instanceId>${found.id}</instanceId>${stateXml('instanceState', found.state)}<tagSet>${tags}</tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
    );
  }

  function tags(params: Record<string, string>, create: boolean): Response {
    const found = lookup(params, /^ResourceId\.(\d+)$/);
    if (found instanceof Response) return found;
    const keys = indexed(params, /^Tag\.(\d+)\.Key$/);
    const values = indexed(params, /^Tag\.(\d+)\.Value$/);
    keys.forEach((key, i) => {
      if (create) found.tags[key] = values[i] ?? '';
      else delete found.tags[key];
    });
    const tag = create ? 'CreateTagsResponse' : 'DeleteTagsResponse';
    return xml(`<${tag} xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId()}</requestId><return>true</return></${tag}>`);
  }

  function publish(params: Record<string, string>): Response {
    const topicArn = params.TopicArn ?? '';
    const message = params.Message;
    if (!message) return snsError('InvalidParameter', 'Invalid parameter: Empty message');
    const subject = params.Subject;
    // SNS's own rule, checked here so a subject the real service would refuse fails the tests too.
    if (subject !== undefined && (subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject))) {
      return snsError('InvalidParameter', 'Invalid parameter: Subject');
    }
    published.push({ topicArn, subject, message, at: now() });
    return xml(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${requestId()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }

  async function handle(request: Request): Promise<Response> {
    const params = Object.fromEntries(new URLSearchParams(await request.text()));
    const action = params.Action ?? '';
    calls.push({ action, params, at: now() });
    const latency = latencyMs[action as FakeAction];
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    const isSns = action === 'Publish';
    const injected = failures.get(action);
    if (injected && injected.remaining > 0) {
      injected.remaining -= 1;
      if (injected.afterActing) await perform(action, params);
      return isSns ? snsError(injected.code, `injected ${injected.code}`, injected.status) : ec2Error(injected.code, `injected ${injected.code}`, injected.status);
    }
    return perform(action, params);
  }

  async function perform(action: string, params: Record<string, string>): Promise<Response> {
    switch (action) {
      case 'DescribeInstances':
        return describe(params);
      case 'StartInstances':
        return changeState(params, true);
      case 'StopInstances':
        return changeState(params, false);
      case 'CreateTags':
        return tags(params, true);
      case 'DeleteTags':
        return tags(params, false);
      case 'Publish':
        return publish(params);
      default:
        return ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  return {
    handle,
    calls,
    published,
    /** Every state change, at the time it happened on the fake's clock (pending and stopping end on time, not when read). */
    transitions,
    /** The instance as EC2 would describe it now. */
    instance(id: string): FakeInstance {
      const instance = instances.get(id);
      if (!instance) throw new Error(`fake EC2 has no instance ${id}`);
      return settle(instance);
    },
    setState(id: string, state: FakeState) {
      move(this.instance(id), state);
    },
    /**
     * The next `times` calls of `action` (default: every call until cleared) fail with `code`;
     * with `afterActing`, each is carried out first, as when AWS acted but its answer was lost.
     */
    failWith(action: FakeAction, code: string, times = Number.POSITIVE_INFINITY, options: { afterActing?: boolean } = {}) {
      failures.set(action, { code, status: ERROR_STATUS[code] ?? 400, remaining: times, afterActing: options.afterActing ?? false });
    },
    setLatency(action: FakeAction, ms: number) {
      latencyMs[action] = ms;
    },
    clearFailures() {
      failures.clear();
    },
    callsTo(action: FakeAction): RecordedCall[] {
      return calls.filter((c) => c.action === action);
    },
  };
}

export type AwsFake = ReturnType<typeof createAwsFake>;
