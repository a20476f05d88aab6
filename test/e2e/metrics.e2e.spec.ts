import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { onLoadedMachine } from '../support/deadlines';
import { isolatedTables, PASSWORD } from '../support/test-app';
import { killServices, logLines, productionEnv, startService } from '../support/service-process';

const FLUSH_SECONDS = 1;
type Line = Record<string, unknown>;
const isMetrics = (line: Line): boolean => line._aws !== undefined;

/** Sums one metric of one route over every EMF line printed so far. */
function total(lines: Line[], route: string, metric: string): number {
  return lines.filter((line) => isMetrics(line) && line.Route === route).reduce((sum, line) => sum + Number(line[metric]), 0);
}

describe('request metrics and request logs of the built service', () => {
  afterEach(killServices);

  it('prints per-route CloudWatch EMF lines each interval and at shutdown; request lines carry id, status and latency', async () => {
    const config = await isolatedTables();
    const service = await startService(
      productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { METRICS_FLUSH_SECONDS: String(FLUSH_SECONDS) }),
    );
    const base = service.baseUrl;
    const post = (path: string, body: object) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const email = `metrics-${randomUUID()}@example.com`;
    expect((await post('/api/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await post('/api/login', { email, password: 'not-the-password' })).status).toBe(401);
    expect((await fetch(`${base}/api/no-such-route/${randomUUID()}`)).status).toBe(404);
    const traced = await fetch(`${base}/api/health`, { headers: { 'x-request-id': 'trace-me-123' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-me-123');

    // The periodic flush (startService's own health probes count too).
    const flushedBy = Date.now() + onLoadedMachine(FLUSH_SECONDS * 1000);
    while (Date.now() < flushedBy && !logLines(service).some((line) => isMetrics(line) && line.Route === 'POST /api/login')) await sleep(100);
    const interval = logLines(service).filter(isMetrics);
    expect(interval.length).toBeGreaterThan(0);
    for (const line of interval) {
      expect(line).toMatchObject({ Service: 'panzoto-backend', _aws: { CloudWatchMetrics: [{ Namespace: 'Panzoto/Backend' }] } });
      expect(Array.isArray(line.Latency)).toBe(true);
    }

    // Requests after the last interval are flushed on SIGTERM.
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);

    const lines = logLines(service);
    expect(total(lines, 'POST /api/register', 'Requests')).toBe(1);
    expect(total(lines, 'POST /api/login', 'Requests')).toBe(1);
    expect(total(lines, 'POST /api/login', 'ClientErrors')).toBe(1);
    expect(total(lines, 'unmatched', 'ClientErrors')).toBe(1);
    expect(total(lines, 'GET /api/health/ready', 'Requests')).toBe(1);
    expect(total(lines, 'GET /api/health', 'Requests')).toBeGreaterThanOrEqual(2);
    expect(lines.filter(isMetrics).reduce((sum, line) => sum + Number(line.ServerErrors), 0)).toBe(0);
    // No raw path (which could carry ids) becomes a route name.
    expect(
      lines
        .filter(isMetrics)
        .map((line) => String(line.Route))
        .filter((route) => route.includes('no-such-route')),
    ).toEqual([]);

    // The line per request: request id, method, route, status and latency.
    const completed = lines.find((line) => line.request_id === 'trace-me-123' && line.res !== undefined);
    expect(completed).toMatchObject({ req: { method: 'GET', url: '/api/health' }, res: { statusCode: 200 } });
    expect(typeof completed?.responseTime).toBe('number');
  });

  it('prints no metrics when METRICS_FLUSH_SECONDS=0', async () => {
    const config = await isolatedTables();
    const service = await startService(productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { METRICS_FLUSH_SECONDS: '0' }));
    await fetch(`${service.baseUrl}/api/health`);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(logLines(service).filter(isMetrics)).toEqual([]);
  });
});
