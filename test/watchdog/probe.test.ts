// The probe against a faked Funnel endpoint (msw), and one real TLS failure on loopback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { classifyFetchError, confirmFailure, describeProbe, probeOnce, type ProbeResult } from '../../lambda/watchdog/src/probe.js';
import { HEALTH_URL } from '../support/aws.js';
import { server, withMsw } from '../support/msw.js';

const url = new URL(HEALTH_URL);
const probe = (overrides: Partial<Parameters<typeof probeOnce>[0]> = {}) => probeOnce({ url, timeoutMs: 200, expectedBody: undefined, ...overrides });

const answers = withMsw(suite('probe: what the healthcheck answers'));

answers('counts a 200 as healthy', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse('OK')));
  const result = await probe();
  assert.is(result.ok, true);
  assert.is(result.status, 200);
});

answers('counts a 503 from the laptop as a failure with its status', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse('k3s inactive', { status: 503 })));
  assert.equal(pick(await probe()), { ok: false, status: 503, cause: 'http-status' });
});

answers('counts a 500 as a failure', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse(null, { status: 500 })));
  assert.equal(pick(await probe()), { ok: false, status: 500, cause: 'http-status' });
});

answers('does not follow a redirect, and names where it pointed', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse(null, { status: 302, headers: { location: 'https://login.tailscale.com/' } })));
  const result = await probe();
  assert.equal(pick(result), { ok: false, status: 302, cause: 'redirect' });
  assert.is(result.detail, 'https://login.tailscale.com/');
});

answers('counts a connection error as a failure', async () => {
  server.use(http.get(HEALTH_URL, () => HttpResponse.error()));
  assert.equal(pick(await probe()), { ok: false, status: undefined, cause: 'connection' });
});

answers('gives up after the timeout when the laptop never answers', async () => {
  server.use(
    http.get(HEALTH_URL, async () => {
      await delay(2000);
      return new HttpResponse('OK');
    }),
  );
  const started = Date.now();
  const result = await probe({ timeoutMs: 100 });
  assert.equal(pick(result), { ok: false, status: undefined, cause: 'timeout' });
  assert.ok(Date.now() - started < 1500, 'the probe waited for the slow answer');
});

answers('finds the expected text in the body', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse('status: OK (bot ready)')));
  assert.is((await probe({ expectedBody: 'bot ready' })).ok, true);
});

answers('rejects a 200 from the wrong service when an expected body is set', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse('<html>Welcome to nginx</html>')));
  const result = await probe({ expectedBody: 'OK' });
  assert.equal(pick(result), { ok: false, status: 200, cause: 'body-mismatch' });
});

answers('looks for the expected text only in the first 5120 bytes, as Route 53 does', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse(`${'x'.repeat(6000)}OK`)));
  assert.is((await probe({ expectedBody: 'OK' })).cause, 'body-mismatch');
});

answers('stops reading once the expected text has come, even if the body stays open', async () => {
  server.use(
    http.get(HEALTH_URL, () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('status: OK\n'));
        },
        async pull() {
          await delay('infinite');
        },
      });
      return new HttpResponse(stream);
    }),
  );
  assert.equal(pick(await probe({ timeoutMs: 300, expectedBody: 'OK' })), { ok: true, status: 200, cause: undefined });
});

answers('counts a body that trickles past the timeout as a timeout when the body is checked', async () => {
  server.use(
    http.get(HEALTH_URL, () => {
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await delay(80);
          controller.enqueue(new TextEncoder().encode('.'));
        },
      });
      return new HttpResponse(stream);
    }),
  );
  assert.equal(pick(await probe({ timeoutMs: 150, expectedBody: 'OK' })), { ok: false, status: undefined, cause: 'timeout' });
});

answers.run();

/** The fields a test compares; duration and detail are checked where they matter. */
function pick(result: ProbeResult) {
  return { ok: result.ok, status: result.status, cause: result.cause };
}

const confirm = withMsw(suite('confirmFailure: re-probing before calling the laptop down'));

confirm('stops re-probing at the first success', async () => {
  let calls = 0;
  server.use(http.get(HEALTH_URL, () => (++calls === 1 ? HttpResponse.error() : new HttpResponse('OK'))));
  const first = await probe();
  const probes = await confirmFailure(first, { url, timeoutMs: 200, expectedBody: undefined, attempts: 3, retryDelayMs: 0 });
  assert.equal(
    probes.map((p) => p.ok),
    [false, true],
  );
});

confirm('makes exactly the configured number of attempts, spaced by the retry delay', async () => {
  server.use(http.get(HEALTH_URL, () => new HttpResponse(null, { status: 503 })));
  const waits: number[] = [];
  const probes = await confirmFailure(await probe(), {
    url,
    timeoutMs: 200,
    expectedBody: undefined,
    attempts: 4,
    retryDelayMs: 1500,
    sleep: async (ms) => void waits.push(ms),
  });
  assert.is(probes.length, 4);
  assert.equal(waits, [1500, 1500, 1500]);
});

confirm.run();

const classify = suite('classifyFetchError: causes by error name and code');

const fetchFailed = (code?: string) => Object.assign(new TypeError('fetch failed'), code ? { cause: Object.assign(new Error('x'), { code }) } : {});

classify('names a timeout from AbortSignal.timeout', () => {
  assert.equal(classifyFetchError(new DOMException('x', 'TimeoutError')), { cause: 'timeout' });
});

classify('names refused and unresolvable hosts as connection errors, with their code', () => {
  assert.equal(classifyFetchError(fetchFailed('ECONNREFUSED')), { cause: 'connection', detail: 'ECONNREFUSED' });
  assert.equal(classifyFetchError(fetchFailed('ENOTFOUND')), { cause: 'connection', detail: 'ENOTFOUND' });
  assert.equal(classifyFetchError(fetchFailed()), { cause: 'connection' });
});

classify('names certificate problems as TLS errors', () => {
  assert.equal(classifyFetchError(fetchFailed('CERT_HAS_EXPIRED')), { cause: 'tls', detail: 'CERT_HAS_EXPIRED' });
  assert.equal(classifyFetchError(fetchFailed('ERR_TLS_CERT_ALTNAME_INVALID')), { cause: 'tls', detail: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

classify('names undici connect timeouts as timeouts', () => {
  assert.equal(classifyFetchError(fetchFailed('UND_ERR_CONNECT_TIMEOUT')), { cause: 'timeout', detail: 'UND_ERR_CONNECT_TIMEOUT' });
});

classify('describes each result in words for logs and emails', () => {
  assert.is(describeProbe({ ok: false, durationMs: 5000.4, cause: 'timeout' }), 'timed out after 5000 ms');
  assert.is(describeProbe({ ok: false, durationMs: 3, cause: 'connection', detail: 'ECONNREFUSED' }), 'connection failed (ECONNREFUSED)');
  assert.is(describeProbe({ ok: false, durationMs: 40, status: 503, cause: 'http-status' }), 'HTTP 503 in 40 ms');
  assert.is(describeProbe({ ok: true, durationMs: 40, status: 200 }), 'HTTP 200 in 40 ms');
});

classify.run();

const tls = suite('probe: a real TLS failure on loopback');
let httpsServer: Server;
let dir: string;

tls.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
    stdio: 'ignore',
  });
  httpsServer = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('OK'));
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
});

tls.after(async () => {
  await new Promise((resolve) => httpsServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

tls('counts a certificate the system does not trust as a TLS failure', async () => {
  const { port } = httpsServer.address() as AddressInfo;
  const result = await probeOnce({ url: new URL(`https://127.0.0.1:${port}/health`), timeoutMs: 2000, expectedBody: undefined });
  assert.is(result.ok, false);
  assert.is(result.cause, 'tls');
  assert.is(result.detail, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

tls.run();
