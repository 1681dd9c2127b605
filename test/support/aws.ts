// Real SDK clients pointed at the fake EC2/SNS through msw, with no retries so injected errors surface at once.
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { http } from 'msw';
import type { AwsFake } from '../fakes/aws.js';

export const REGION = 'eu-west-3';
export const INSTANCE_ID = 'i-0123456789abcdef0';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:watchdog-alerts`;
export const HEALTH_URL = 'https://laptop.tail1234.ts.net/health';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** One attempt by default; a test of the SDK's retries asks for more. */
export function testClients(maxAttempts = 1) {
  return {
    ec2: new EC2Client({ region: REGION, credentials, maxAttempts }),
    sns: new SNSClient({ region: REGION, credentials, maxAttempts }),
  };
}

export function awsHandlers(fake: AwsFake) {
  return [
    http.post(`https://ec2.${REGION}.amazonaws.com/`, ({ request }) => fake.handle(request)),
    http.post(`https://sns.${REGION}.amazonaws.com/`, ({ request }) => fake.handle(request)),
  ];
}
