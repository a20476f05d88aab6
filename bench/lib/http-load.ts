import autocannon from 'autocannon';
import { LatencySummary, round, Samples } from './stats';

export interface HttpLoad {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpLoadResult extends LatencySummary {
  connections: number;
  durationSeconds: number;
  requests: number;
  /** Completed responses per second over the whole run. */
  requestsPerSecond: number;
  non2xx: number;
  /** Connection errors and timeouts: must be 0 like non2xx. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * One autocannon run in this process. Latencies are taken from every response with full
 * (sub-millisecond) precision rather than from autocannon's whole-millisecond histogram.
 */
export async function httpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  const samples = new Samples();
  // Without a callback autocannon returns its event emitter, made thenable: typed here as both.
  const instance = autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.durationSeconds,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    timeout: 10,
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    samples.add(responseTime);
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0;
  return {
    connections: load.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    ...samples.summary(),
  };
}

export function failures(result: { non2xx: number; errors: number; timeouts: number }): number {
  return result.non2xx + result.errors + result.timeouts;
}
