import { toEmfDocument } from './emf';
import { LATENCY_SAMPLES, RequestMetrics, UNMATCHED_ROUTE } from './request-metrics';

describe('RequestMetrics', () => {
  it('counts requests, client and server errors and 503s per route, and starts afresh after drain', () => {
    const metrics = new RequestMetrics();
    metrics.record('POST', '/api/login', 200, 12.345);
    metrics.record('POST', '/api/login', 401, 30);
    metrics.record('POST', '/api/login', 503, 3);
    metrics.record('GET', '/api/audio-files/:file_id', 500, 7);
    metrics.record('GET', undefined, 404, 1);
    metrics.record('DELETE', undefined, 404, 1);
    const routes = Object.fromEntries(metrics.drain().map((route) => [route.route, route]));
    expect(routes['POST /api/login']).toEqual({
      route: 'POST /api/login',
      requests: 3,
      clientErrors: 1,
      serverErrors: 1,
      unavailable: 1,
      latencySumMs: 45.35,
      latencyMaxMs: 30,
      latencySamplesMs: [12.35, 30, 3],
    });
    expect(routes['GET /api/audio-files/:file_id']).toMatchObject({ requests: 1, serverErrors: 1, unavailable: 0 });
    // Paths no route serves share one key, whatever the method or path: no unbounded cardinality.
    expect(routes[UNMATCHED_ROUTE]).toMatchObject({ requests: 2, clientErrors: 2 });
    expect(metrics.drain()).toEqual([]);
  });

  it('keeps exact counts but at most LATENCY_SAMPLES latencies, a uniform sample of them', () => {
    let seed = 1;
    const metrics = new RequestMetrics(() => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const total = 10_000;
    for (let i = 0; i < total; i++) metrics.record('GET', '/api/health', 200, i < total / 2 ? 1 : 100);
    const [route] = metrics.drain();
    expect(route.requests).toBe(total);
    expect(route.latencySamplesMs).toHaveLength(LATENCY_SAMPLES);
    const slow = route.latencySamplesMs.filter((ms) => ms === 100).length;
    // Half the requests were slow: so is about half the sample.
    expect(slow).toBeGreaterThan(30);
    expect(slow).toBeLessThan(70);
    expect(route.latencyMaxMs).toBe(100);
    expect(route.latencySumMs).toBe((total / 2) * 101);
  });

  it('keeps constant memory per route however many requests it records (speed is measured by the bench, not here)', () => {
    const metrics = new RequestMetrics();
    const routes = ['/api/login', '/api/register', '/api/user/me', '/api/audio-file'];
    for (let i = 0; i < 200_000; i++) metrics.record('POST', routes[i & 3], 200, i % 50);
    const drained = metrics.drain();
    expect(drained).toHaveLength(4);
    for (const route of drained) {
      expect(route.requests).toBe(50_000);
      expect(route.latencySamplesMs).toHaveLength(LATENCY_SAMPLES);
    }
  });
});

describe('toEmfDocument', () => {
  it('is a CloudWatch embedded-metric-format document whose metrics are all present at the root', () => {
    const metrics = new RequestMetrics();
    metrics.record('POST', '/api/register', 201, 40);
    metrics.record('POST', '/api/register', 503, 2);
    const document = toEmfDocument(metrics.drain()[0], 'Panzoto/Backend', 1_700_000_000_000);
    const directive = (document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] })
      .CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('Panzoto/Backend');
    for (const dimensions of directive.Dimensions) for (const name of dimensions) expect(typeof document[name]).toBe('string');
    for (const { Name } of directive.Metrics) expect(document[Name]).toBeDefined();
    expect(document).toMatchObject({
      Service: 'panzoto-backend',
      Route: 'POST /api/register',
      Requests: 2,
      ServerErrors: 1,
      Unavailable: 1,
      Latency: [40, 2],
      LatencyMeanMs: 21,
    });
    expect((document._aws as { Timestamp: number }).Timestamp).toBe(1_700_000_000_000);
  });
});
