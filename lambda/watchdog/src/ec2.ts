// The worker instance as the watchdog sees it: its state, its tags, and the four calls that change them.
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type EC2Client,
  type InstanceStateChange,
} from '@aws-sdk/client-ec2';

export const INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface Worker {
  state: InstanceState;
  tags: Readonly<Record<string, string>>;
}

export interface StateChange {
  previousState: InstanceState;
  currentState: InstanceState;
  /** The SDK's attempts for this call: after a retry, the previous state may be our own first attempt's doing. */
  attempts: number;
}

/** Any failed EC2 call; `code` is the AWS error code (IncorrectInstanceState, UnauthorizedOperation…) or a network error's name. */
export class Ec2Error extends Error {
  override readonly name = 'Ec2Error';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the handler needs from EC2; the tests drive the real implementation against a fake EC2 endpoint. */
export interface WorkerApi {
  describe(): Promise<Worker>;
  start(): Promise<StateChange>;
  stop(): Promise<StateChange>;
  updateTags(set: Readonly<Record<string, string>>, remove: readonly string[]): Promise<void>;
}

function isInstanceState(value: unknown): value is InstanceState {
  return typeof value === 'string' && (INSTANCE_STATES as readonly string[]).includes(value);
}

function toEc2Error(error: unknown): Ec2Error {
  if (error instanceof Ec2Error) return error;
  const message = error instanceof Error ? error.message : String(error);
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  // Our own deadline aborts the call; a socket error carries a Node code such as ECONNREFUSED.
  if (name === 'AbortError' || name === 'TimeoutError') return new Ec2Error('Timeout', message);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new Ec2Error(code, message);
  // AWS errors are named after their code (UnauthorizedOperation, IncorrectInstanceState…).
  if (typeof name === 'string' && name !== 'Error' && name !== 'TypeError') return new Ec2Error(name, message);
  return new Ec2Error('NetworkError', message);
}

function stateChange(output: { $metadata: { attempts?: number } }, changes: InstanceStateChange[] | undefined, instanceId: string): StateChange {
  const change = changes?.find((c) => c.InstanceId === instanceId) ?? changes?.[0];
  const previousState = change?.PreviousState?.Name;
  const currentState = change?.CurrentState?.Name;
  if (!isInstanceState(previousState) || !isInstanceState(currentState)) {
    throw new Ec2Error('InvalidResponse', `EC2 returned no state change for ${instanceId}`);
  }
  return { previousState, currentState, attempts: output.$metadata.attempts ?? 1 };
}

export function createWorkerApi(client: EC2Client, instanceId: string, timeoutMs: number): WorkerApi {
  // One deadline per call, retries included, so a hung EC2 endpoint cannot use up the Lambda's time.
  const call = async <T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> => {
    try {
      return await send({ abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw toEc2Error(error);
    }
  };
  const ids = [instanceId];
  return {
    async describe() {
      const output = await call((o) => client.send(new DescribeInstancesCommand({ InstanceIds: ids }), o));
      const instance = output.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
      const state = instance?.State?.Name;
      if (!instance || !isInstanceState(state)) throw new Ec2Error('InvalidResponse', `EC2 did not describe ${instanceId}`);
      const tags: Record<string, string> = {};
      for (const tag of instance.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      return { state, tags };
    },
    async start() {
      const output = await call((o) => client.send(new StartInstancesCommand({ InstanceIds: ids }), o));
      return stateChange(output, output.StartingInstances, instanceId);
    },
    async stop() {
      const output = await call((o) => client.send(new StopInstancesCommand({ InstanceIds: ids }), o));
      return stateChange(output, output.StoppingInstances, instanceId);
    },
    async updateTags(set, remove) {
      const pairs = Object.entries(set);
      if (pairs.length > 0) await call((o) => client.send(new CreateTagsCommand({ Resources: ids, Tags: pairs.map(([Key, Value]) => ({ Key, Value })) }), o));
      if (remove.length > 0) await call((o) => client.send(new DeleteTagsCommand({ Resources: ids, Tags: remove.map((Key) => ({ Key })) }), o));
    },
  };
}
