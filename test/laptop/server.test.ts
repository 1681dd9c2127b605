// The HTTP server on an ephemeral loopback port, with the check result stubbed: every method and
// path, malformed and oversized requests, and the timeouts that close stalled connections.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import type { Status } from '../../laptop/src/checks.js';
import { createHealthServer, type Limits } from '../../laptop/src/server.js';
import { exchange, request, statusOf } from './support.js';

interface Harness {
  server: http.Server;
  port: number;
  status: Status;
}

async function listen(limits: Partial<Limits> = {}): Promise<Harness> {
  const harness = { status: { ok: true } as Status } as Harness;
  harness.server = createHealthServer({ status: () => harness.status, limits });
  await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
  harness.port = (harness.server.address() as AddressInfo).port;
  return harness;
}

async function close(harness: Harness): Promise<void> {
  harness.server.closeAllConnections();
  await new Promise((resolve) => harness.server.close(resolve));
}

const health = suite('server: GET and HEAD /health');
let h: Harness;
health.before(async () => {
  h = await listen();
});
health.after(() => close(h));

health('answers 200 "OK" as plain text, never cached, when the node is healthy', async () => {
  h.status = { ok: true };
  const answer = await request(h.port);
  assert.is(answer.status, 200);
  assert.is(answer.body, 'OK');
  assert.is(answer.headers['content-type'], 'text/plain; charset=utf-8');
  assert.is(answer.headers['cache-control'], 'no-store');
  assert.is(answer.headers['x-content-type-options'], 'nosniff');
});

health('answers 503 with the reason category when the node is not healthy', async () => {
  h.status = { ok: false, reason: 'k3s inactive' };
  const answer = await request(h.port);
  assert.is(answer.status, 503);
  assert.is(answer.body, 'k3s inactive');
});

health('answers HEAD with the same status and length but no body', async () => {
  h.status = { ok: true };
  const ok = await request(h.port, { method: 'HEAD' });
  assert.is(ok.status, 200);
  assert.is(ok.headers['content-length'], '2');
  assert.is(ok.body, '');
  h.status = { ok: false, reason: 'result stale' };
  assert.is((await request(h.port, { method: 'HEAD' })).status, 503);
});

health('ignores a query string, as a cache-busting prober may add one', async () => {
  h.status = { ok: true };
  assert.is((await request(h.port, { path: '/health?t=1' })).status, 200);
});

health('tells nothing about the machine: no Server or X-Powered-By header', async () => {
  const answer = await request(h.port);
  assert.is(answer.headers.server, undefined);
  assert.is(answer.headers['x-powered-by'], undefined);
});

health.run();

const routes = suite('server: other paths and methods');
routes.before(async () => {
  h = await listen();
});
routes.after(() => close(h));

for (const path of ['/', '/health/', '/healthz', '/HEALTH', '//health', '/health/../etc/passwd', '/favicon.ico']) {
  routes(`answers 404 for ${path}`, async () => {
    const answer = await request(h.port, { path });
    assert.is(answer.status, 404);
    assert.is(answer.body, 'not found');
  });
}

for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
  routes(`answers 405 with Allow: GET, HEAD for ${method} /health`, async () => {
    const answer = await request(h.port, { method, body: method === 'POST' ? 'x' : undefined });
    assert.is(answer.status, 405);
    assert.is(answer.headers.allow, 'GET, HEAD');
  });
}

routes('answers 404, not 405, for another method on another path', async () => {
  assert.is((await request(h.port, { method: 'POST', path: '/admin' })).status, 404);
});

routes('keeps a connection alive between requests without a body', async () => {
  const { text } = await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n', 500);
  assert.is(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2);
});

routes('closes the connection after a request with a body instead of reading it', async () => {
  const { text, closedByServer } = await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc', 2000);
  assert.is(statusOf(text), 200);
  assert.match(text, /connection: close/i);
  assert.ok(closedByServer);
});

routes.run();

const malformed = suite('server: malformed and oversized requests');
malformed.before(async () => {
  h = await listen();
});
malformed.after(() => close(h));

const bad: Array<[string, string]> = [
  ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
  ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'],
  ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\n\r\n'],
  ['both Content-Length and Transfer-Encoding (request smuggling)', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['a bare LF line ending', 'GET /health HTTP/1.1\nHost: x\n\n'],
  ['a NUL byte in a header', 'GET /health HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n'],
  ['an unknown HTTP version', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n'],
];

for (const [what, raw] of bad) {
  malformed(`answers 400 and closes for ${what}`, async () => {
    const { text, closedByServer } = await exchange(h.port, raw);
    assert.is(statusOf(text), 400, text);
    assert.ok(closedByServer);
  });
}

malformed('answers 431 and closes for headers over 8 KiB', async () => {
  const { text, closedByServer } = await exchange(h.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`);
  assert.is(statusOf(text), 431);
  assert.ok(closedByServer);
});

malformed('answers 431 for a request line over 8 KiB', async () => {
  const { text } = await exchange(h.port, `GET /health?${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.is(statusOf(text), 431);
});

malformed('answers normally with many headers, reading only the first 50', async () => {
  const many = Array.from({ length: 200 }, (_, i) => `X-${i}: y\r\n`).join('');
  const { text } = await exchange(h.port, `GET /health HTTP/1.1\r\nHost: x\r\n${many}Connection: close\r\n\r\n`);
  assert.is(statusOf(text), 200);
});

malformed('leaks no error detail in a 400', async () => {
  const { text } = await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n');
  assert.is(text.slice(text.indexOf('\r\n\r\n') + 4), 'bad request');
});

malformed.run();

const stalled = suite('server: connections that stall');
stalled.before(async () => {
  h = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, checkingIntervalMs: 50 });
});
stalled.after(() => close(h));

stalled('closes a connection that never sends a byte, after the header timeout', async () => {
  const { closedByServer } = await exchange(h.port, '', 2000);
  assert.ok(closedByServer);
});

stalled('answers 408 and closes when headers trickle in past the header timeout', async () => {
  const { text, closedByServer } = await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 2000);
  assert.is(statusOf(text), 408);
  assert.ok(closedByServer);
});

stalled('closes an idle kept-alive connection after the keep-alive timeout', async () => {
  const { text, closedByServer } = await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 2000);
  assert.is(statusOf(text), 200);
  assert.ok(closedByServer);
});

stalled('closes a connection after its request limit', async () => {
  const limited = await listen({ maxRequestsPerSocket: 2 });
  try {
    const three = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3);
    const { text, closedByServer } = await exchange(limited.port, three, 2000);
    assert.ok(closedByServer);
    assert.is(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2);
  } finally {
    await close(limited);
  }
});

stalled.run();
