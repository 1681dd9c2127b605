// The public HTTP face: GET/HEAD /health answered from the last check result, nothing else.
// It faces the internet through Funnel, so every limit is tight and nothing about the machine leaks.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Status } from './checks.js';

export interface Limits {
  /** Headers must arrive this fast; also reaps connections that never send a byte. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveTimeoutMs: number;
  /** How often Node sweeps connections for the two timeouts above. */
  checkingIntervalMs: number;
  maxHeaderSize: number;
  maxHeadersCount: number;
  maxRequestsPerSocket: number;
  maxConnections: number;
}

export const LIMITS: Limits = {
  // Funnel's proxy sends a whole request at once over loopback; only a client stalling on purpose needs more than this.
  headersTimeoutMs: 2000,
  requestTimeoutMs: 3000,
  keepAliveTimeoutMs: 5000,
  // Node's default sweep is every 30 s, which would let a stalled connection live 15 times the timeout.
  checkingIntervalMs: 250,
  maxHeaderSize: 8 * 1024,
  maxHeadersCount: 50,
  maxRequestsPerSocket: 1000,
  maxConnections: 1024,
};

export interface ServerOptions {
  status: () => Status;
  limits?: Partial<Limits>;
}

const PATH = '/health';

// Headers for every answer: plain text, never cached by a proxy, never sniffed as HTML.
function headers(body: Buffer): http.OutgoingHttpHeaders {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
}

const OK = Buffer.from('OK');
const bodies = new Map<string, Buffer>();
function bodyOf(text: string): Buffer {
  let body = bodies.get(text);
  if (!body) {
    body = Buffer.from(text);
    // Reasons are few (one per check and failure kind); the cap only guards against a bug.
    if (bodies.size < 256) bodies.set(text, body);
  }
  return body;
}

type Send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, body: Buffer, extra?: http.OutgoingHttpHeaders) => void;

/**
 * Answers, closing the connection after its last allowed request. Not Node's maxRequestsPerSocket:
 * that one answers 503 to requests pipelined past the limit, and a 503 reads as "laptop down".
 */
function sender(maxRequestsPerSocket: number): Send {
  const served = new WeakMap<object, number>();
  return (req, res, status, body, extra = {}) => {
    const all = { ...headers(body), ...extra };
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count >= maxRequestsPerSocket) all.connection = 'close';
    // A request with a body is never read: answer, then close, rather than drain what a client chose to send.
    if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') all.connection = 'close';
    if (req.headers['transfer-encoding'] !== undefined) all.connection = 'close';
    res.writeHead(status, all);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function handle(send: Send, status: () => Status, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path !== PATH) return send(req, res, 404, bodyOf('not found'));
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, bodyOf('method not allowed'), { allow: 'GET, HEAD' });
  const now = status();
  if (now.ok) return send(req, res, 200, OK);
  send(req, res, 503, bodyOf(now.reason));
}

function rawResponse(status: number, text: string): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${text}`,
  );
}

const RAW = {
  400: rawResponse(400, 'bad request'),
  408: rawResponse(408, 'request timeout'),
  431: rawResponse(431, 'request header fields too large'),
};

/** Requests Node's parser rejected: a short fixed answer, then the connection goes. */
function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A connection that never sent a byte gets no answer: nothing to say, and under a flood of them it is cheaper.
  if (!socket.writable || error.code === 'ECONNRESET' || socket.bytesRead === 0) {
    socket.destroy();
    return;
  }
  const answer = error.code === 'HPE_HEADER_OVERFLOW' ? RAW[431] : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? RAW[408] : RAW[400];
  socket.end(answer, () => socket.destroy());
}

export function createHealthServer(options: ServerOptions): http.Server {
  const limits = { ...LIMITS, ...options.limits };
  const send = sender(limits.maxRequestsPerSocket);
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkingIntervalMs,
      maxHeaderSize: limits.maxHeaderSize,
      insecureHTTPParser: false,
      requireHostHeader: true,
      noDelay: true,
    },
    (req, res) => handle(send, options.status, req, res),
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  // Past the cap Node drops new connections at once; the short header timeout keeps idle ones from filling it.
  server.maxConnections = limits.maxConnections;
  server.on('clientError', onClientError);
  return server;
}
