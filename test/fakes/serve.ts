// Serves a (Request) => Response function over node:http on loopback, so a separate process
// (the built Lambda bundle, the local rehearsal) can reach the same fake through AWS_ENDPOINT_URL_*.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(handle: (request: Request) => Promise<Response> | Response, port = 0): Promise<Served> {
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const response = await handle(new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL on a port nothing listens on: a laptop that is off (connection refused). */
export async function refusedUrl(path = '/health'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}

/**
 * The AWS part of the environment Lambda gives the function, pointed at a fake served by `serve`:
 * dummy credentials, no instance metadata lookups, no retries.
 */
export function fakeAwsEnv(awsUrl: string, region = 'eu-west-3'): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ENDPOINT_URL_EC2: awsUrl,
    AWS_ENDPOINT_URL_SNS: awsUrl,
    // Local tools run on Node 20; the SDK's notice that it will need Node 22 is noise there.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
