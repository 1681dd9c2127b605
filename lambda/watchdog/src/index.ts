// Lambda entry point (handler string `index.handler`). Everything here runs once per cold start:
// the environment is read and checked, and the SDK clients are created for every later invocation.
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { createPublisher } from './alerts.js';
import { alertTopicOf, ConfigError, DEFAULTS, readConfig, type Env } from './config.js';
import { createWorkerApi } from './ec2.js';
import { createConfigErrorHandler, createHandler, type Handler } from './handler.js';
import { jsonLogger } from './log.js';

const log = jsonLogger();

/** An SNS client in the topic's own region, which need not be the Lambda's. */
function snsClientFor(topicArn: string | undefined): SNSClient | undefined {
  return topicArn ? new SNSClient({ region: topicArn.split(':')[3] }) : undefined;
}

function load(env: Env): Handler {
  try {
    const config = readConfig(env);
    // Retries stay at the SDK's bounded default (3 attempts, AWS_MAX_ATTEMPTS overrides);
    // every call also carries its own deadline (API_TIMEOUT_SECONDS), retries included.
    const ec2 = new EC2Client({});
    const publish = createPublisher(snsClientFor(config.alertTopicArn), config.alertTopicArn, log, config.apiTimeoutMs);
    return createHandler(config, { worker: createWorkerApi(ec2, config.workerInstanceId, config.apiTimeoutMs), publish, log });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const topic = alertTopicOf(env);
    return createConfigErrorHandler(error, createPublisher(snsClientFor(topic), topic, log, DEFAULTS.API_TIMEOUT_SECONDS * 1000), log);
  }
}

export const handler: Handler = load(process.env);
