import type { RouteMetrics } from './request-metrics';

const SERVICE_NAME = 'panzoto-backend';

/**
 * One CloudWatch embedded-metric-format document per route: CloudWatch Logs turns these log lines
 * into metrics by itself (no agent, no API call). Each metric is published twice, per route
 * (Service, Route) and for the whole service (Service), so alarms need no metric math.
 * Latency is a list of values (CloudWatch computes percentiles from them): every request's latency
 * up to 100 per route and interval, a uniform sample beyond that; Requests is always exact.
 */
export function toEmfDocument(route: RouteMetrics, namespace: string, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Service', 'Route'], ['Service']],
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'ClientErrors', Unit: 'Count' },
            { Name: 'ServerErrors', Unit: 'Count' },
            { Name: 'Unavailable', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Service: SERVICE_NAME,
    Route: route.route,
    Requests: route.requests,
    ClientErrors: route.clientErrors,
    ServerErrors: route.serverErrors,
    Unavailable: route.unavailable,
    Latency: route.latencySamplesMs,
    // Exact figures for the interval, kept in the log line (not metrics) for Logs Insights queries.
    LatencyMaxMs: route.latencyMaxMs,
    LatencyMeanMs: Math.round((route.latencySumMs / route.requests) * 100) / 100,
    msg: 'request metrics',
  };
}
