// The EC2 calls against the fake endpoint: what the handler can rely on when AWS misbehaves.
import { delay, http, HttpResponse } from 'msw';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { createWorkerApi, Ec2Error } from '../../lambda/watchdog/src/ec2.js';
import { createAwsFake } from '../fakes/aws.js';
import { awsHandlers, INSTANCE_ID, REGION, testClients } from '../support/aws.js';
import { server, withMsw } from '../support/msw.js';

const api = withMsw(suite('the EC2 worker API'));

async function rejection(promise: Promise<unknown>): Promise<Ec2Error> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, Ec2Error);
    return error as Ec2Error;
  }
  assert.unreachable('the call succeeded');
  throw new Error('unreachable');
}

api('reads the state and the tags', async () => {
  const fake = createAwsFake({ instances: [{ id: INSTANCE_ID, state: 'running', tags: { Name: 'worker', 'watchdog:hold': 'true' } }] });
  server.use(...awsHandlers(fake));
  const worker = await createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).describe();
  assert.equal(worker, { state: 'running', tags: { Name: 'worker', 'watchdog:hold': 'true' } });
});

api('reports the previous and current state of a start', async () => {
  const fake = createAwsFake({ pendingMs: 60_000, instances: [{ id: INSTANCE_ID }] });
  server.use(...awsHandlers(fake));
  assert.equal(await createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).start(), { previousState: 'stopped', currentState: 'pending', attempts: 1 });
});

api('writes and deletes tags in one call each', async () => {
  const fake = createAwsFake({ instances: [{ id: INSTANCE_ID, tags: { old: '1' } }] });
  server.use(...awsHandlers(fake));
  await createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).updateTags({ a: '1', b: '2' }, ['old']);
  assert.equal(fake.instance(INSTANCE_ID).tags, { a: '1', b: '2' });
  assert.equal(fake.calls.map((c) => c.action), ['CreateTags', 'DeleteTags']);
});

api('turns an AWS error into an Ec2Error carrying its code', async () => {
  const fake = createAwsFake({ instances: [{ id: INSTANCE_ID }] });
  fake.failWith('DescribeInstances', 'UnauthorizedOperation');
  server.use(...awsHandlers(fake));
  const error = await rejection(createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).describe());
  assert.is(error.code, 'UnauthorizedOperation');
  assert.is(error.name, 'Ec2Error');
});

api('gives up on a hung EC2 endpoint at its deadline', async () => {
  server.use(
    http.post(`https://ec2.${REGION}.amazonaws.com/`, async () => {
      await delay(5000);
      return HttpResponse.error();
    }),
  );
  const started = Date.now();
  const error = await rejection(createWorkerApi(testClients().ec2, INSTANCE_ID, 100).describe());
  assert.ok(Date.now() - started < 3000, 'the call outlived its deadline');
  assert.is(error.code, 'Timeout');
});

api('reports an unreachable endpoint as a network error', async () => {
  server.use(http.post(`https://ec2.${REGION}.amazonaws.com/`, () => HttpResponse.error()));
  const error = await rejection(createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).describe());
  assert.is(error.code, 'NetworkError');
});

api('refuses an answer that does not describe the worker', async () => {
  server.use(
    http.post(`https://ec2.${REGION}.amazonaws.com/`, () =>
      HttpResponse.xml('<DescribeInstancesResponse><reservationSet></reservationSet></DescribeInstancesResponse>'),
    ),
  );
  const error = await rejection(createWorkerApi(testClients().ec2, INSTANCE_ID, 2000).describe());
  assert.is(error.code, 'InvalidResponse');
});

api.run();
