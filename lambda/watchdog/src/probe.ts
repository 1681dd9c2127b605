// One HTTPS probe of the laptop's healthcheck, and the re-probes that confirm a failure.

export type ProbeCause = 'timeout' | 'connection' | 'tls' | 'http-status' | 'redirect' | 'body-mismatch';

export interface ProbeResult {
  ok: boolean;
  durationMs: number;
  status?: number;
  cause?: ProbeCause;
  /** A short, log-safe detail: an error code, a redirect target, the expected text. */
  detail?: string;
}

export interface ProbeOptions {
  url: URL;
  timeoutMs: number;
  expectedBody: string | undefined;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Route 53 string matching reads this much of the body; we read no more. */
const BODY_LIMIT = 5120;

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Sorts a thrown fetch error into a cause, by error names and codes only. */
export function classifyFetchError(error: unknown): Pick<ProbeResult, 'cause' | 'detail'> {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { cause: 'timeout' };
  const inner = (error as { cause?: unknown } | null)?.cause;
  const code = errorCode(inner) ?? errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return { cause: 'timeout', detail: code };
  }
  if (code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    return { cause: 'tls', detail: code };
  }
  return code === undefined ? { cause: 'connection' } : { cause: 'connection', detail: code };
}

/**
 * Whether `expected` is within the first BODY_LIMIT bytes: reads no further than it has to (a body may
 * stay open after the text), and stops at the deadline even if the fetch implementation does not.
 */
async function bodyContains(response: Response, expected: string, signal: AbortSignal): Promise<boolean> {
  if (!response.body) return expected === '';
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const text = () => Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8');
  try {
    while (size < BODY_LIMIT && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (text().includes(expected)) return true;
    }
    // A cancelled read ends like a finished body: only the signal tells a trickle from a short answer.
    signal.throwIfAborted();
    return text().includes(expected);
  } finally {
    signal.removeEventListener('abort', cancel);
    // A healthcheck that streams forever must not hold the probe open.
    cancel();
  }
}

export async function probeOnce(options: ProbeOptions): Promise<ProbeResult> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const started = now();
  const elapsed = () => now() - started;
  // One deadline for headers and body: a healthcheck that trickles its body is as dead as a silent one.
  // A referenced timer, unlike AbortSignal.timeout's, keeps a short-lived process alive until the deadline.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('healthcheck probe timed out', 'TimeoutError')), options.timeoutMs);
  const signal = deadline.signal;
  try {
    const response = await doFetch(options.url, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { 'cache-control': 'no-cache', 'user-agent': 'home-failover-watchdog' },
    });
    const status = response.status;
    if (status >= 300 && status < 400) {
      void response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      return { ok: false, durationMs: elapsed(), status, cause: 'redirect', ...(location ? { detail: location.slice(0, 200) } : {}) };
    }
    if (status < 200 || status >= 300) {
      void response.body?.cancel().catch(() => undefined);
      return { ok: false, durationMs: elapsed(), status, cause: 'http-status' };
    }
    if (options.expectedBody === undefined) {
      void response.body?.cancel().catch(() => undefined);
      return { ok: true, durationMs: elapsed(), status };
    }
    if (!(await bodyContains(response, options.expectedBody, signal))) {
      return { ok: false, durationMs: elapsed(), status, cause: 'body-mismatch', detail: `expected ${JSON.stringify(options.expectedBody.slice(0, 60))}` };
    }
    return { ok: true, durationMs: elapsed(), status };
  } catch (error) {
    return { ok: false, durationMs: elapsed(), ...classifyFetchError(error) };
  } finally {
    clearTimeout(timer);
  }
}

export interface ConfirmOptions extends ProbeOptions {
  attempts: number;
  retryDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Re-probes after a first failure until one probe succeeds or `attempts` probes in all have failed.
 * Returns every probe made, the first one included.
 */
export async function confirmFailure(first: ProbeResult, options: ConfirmOptions): Promise<ProbeResult[]> {
  const wait = options.sleep ?? sleep;
  const probes = [first];
  while (probes.length < options.attempts && !probes.at(-1)!.ok) {
    await wait(options.retryDelayMs);
    probes.push(await probeOnce(options));
  }
  return probes;
}

export function describeProbe(probe: ProbeResult): string {
  const time = `${Math.round(probe.durationMs)} ms`;
  if (probe.ok) return `HTTP ${probe.status} in ${time}`;
  const detail = probe.detail ? ` (${probe.detail})` : '';
  switch (probe.cause) {
    case 'timeout':
      return `timed out after ${time}${detail}`;
    case 'http-status':
      return `HTTP ${probe.status} in ${time}`;
    case 'redirect':
      return `redirect HTTP ${probe.status}${probe.detail ? ` to ${probe.detail}` : ''}`;
    case 'body-mismatch':
      return `HTTP ${probe.status} but body did not match${detail}`;
    case 'tls':
      return `TLS error${detail}`;
    default:
      return `connection failed${detail}`;
  }
}
