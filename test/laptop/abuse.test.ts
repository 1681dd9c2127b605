// The built server under abuse, bounded in count and time, on loopback only: idle and slowloris
// connections must not stop /health from answering, and a burst of requests forks nothing per request.
import http from 'node:http';
import net from 'node:net';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { fakeBin, request, sleep, startBundle, until, type FakeBin, type Running } from './support.js';

const IDLE = 300;
const SLOWLORIS = 100;
/** A generous bound for one answer: this proves "still answers", the benchmark measures how fast. */
const ANSWER_WITHIN_MS = 2000;

const abuse = suite('abuse: connections held open by the public');
let fake: FakeBin;
let running: Running;
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

abuse.before(async () => {
  fake = fakeBin();
  running = await startBundle({ PATH: fake.path });
});
abuse.after(async () => {
  timers.forEach(clearInterval);
  sockets.forEach((s) => s.destroy());
  await running.stop();
  fake.cleanup();
});

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    // Read what the server sends (its 408), or the socket never sees the end and never closes.
    socket.resume();
    sockets.push(socket);
  });
}

abuse(`answers /health within ${ANSWER_WITHIN_MS} ms while ${IDLE} idle and ${SLOWLORIS} byte-by-byte connections are open`, async () => {
  assert.ok(await until(() => fake.calls() > 0, 3000), 'a first check ran');
  await sleep(100);
  const idle = await Promise.all(Array.from({ length: IDLE }, () => open(running.port)));
  const slow = await Promise.all(Array.from({ length: SLOWLORIS }, () => open(running.port)));
  const request_ = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(1000);
  let sent = 0;
  timers.push(
    setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write(request_[sent % request_.length] ?? 'a');
      sent += 1;
    }, 50),
  );
  const closed = new Set<net.Socket>();
  for (const s of [...idle, ...slow]) s.on('close', () => closed.add(s));

  for (let i = 0; i < 10; i += 1) {
    const started = Date.now();
    const answer = await request(running.port, { timeoutMs: ANSWER_WITHIN_MS });
    assert.is(answer.status, 200);
    assert.ok(Date.now() - started < ANSWER_WITHIN_MS);
    await sleep(100);
  }
  // The header timeout (2 s) reaps both kinds, so they cannot pile up to the connection cap.
  assert.ok(await until(() => closed.size === IDLE + SLOWLORIS, 5000), `${closed.size} of ${IDLE + SLOWLORIS} stalled connections closed by the server`);
  assert.is((await request(running.port)).status, 200);
});

abuse('forks no process per request: a burst of 2000 requests runs the check only on its interval', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  try {
    const before = fake.calls();
    const started = Date.now();
    let ok = 0;
    const one = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: running.port, path: '/health', agent }, (res) => {
            if (res.statusCode === 200) ok += 1;
            res.resume().on('end', resolve);
          })
          .on('error', reject);
      });
    for (let batch = 0; batch < 20; batch += 1) await Promise.all(Array.from({ length: 100 }, one));
    const elapsedMs = Date.now() - started;
    const forks = fake.calls() - before;
    assert.is(ok, 2000);
    // The default interval is 5 s: one round per interval elapsed, plus one already under way.
    assert.ok(forks <= Math.ceil(elapsedMs / 5000) + 1, `${forks} checks ran during ${elapsedMs} ms of requests`);
  } finally {
    agent.destroy();
  }
});

abuse.run();
