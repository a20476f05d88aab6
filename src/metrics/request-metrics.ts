/** At most this many latency values per route and interval: EMF's limit for one metric's values. */
export const LATENCY_SAMPLES = 100;
/** Routes are a fixed set; this only guards against a bug that would make keys from user input. */
const MAX_ROUTES = 256;
export const UNMATCHED_ROUTE = 'unmatched';

export interface RouteMetrics {
  /** `METHOD /route/:pattern`, or `unmatched` for paths no route serves. */
  route: string;
  requests: number;
  /** 4xx answers. */
  clientErrors: number;
  /** 5xx answers. */
  serverErrors: number;
  /** 503s: dependencies unavailable (a subset of serverErrors). */
  unavailable: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** A uniform sample of this interval's latencies (all of them when there were at most LATENCY_SAMPLES). */
  latencySamplesMs: number[];
}

function emptyRoute(route: string): RouteMetrics {
  return { route, requests: 0, clientErrors: 0, serverErrors: 0, unavailable: 0, latencySumMs: 0, latencyMaxMs: 0, latencySamplesMs: [] };
}

/**
 * Request count, errors and latency per route since the last `drain()`. `record` is on every request's
 * path: one Map lookup, a few additions and at most one array write (reservoir sampling keeps a
 * uniform sample of latencies in constant memory), no I/O.
 */
export class RequestMetrics {
  private routes = new Map<string, RouteMetrics>();

  constructor(private readonly random: () => number = Math.random) {}

  record(method: string, routePattern: string | undefined, status: number, latencyMs: number): void {
    const key = routePattern ? `${method} ${routePattern}` : UNMATCHED_ROUTE;
    let route = this.routes.get(key);
    if (!route) {
      if (this.routes.size >= MAX_ROUTES) return;
      route = emptyRoute(key);
      this.routes.set(key, route);
    }
    route.requests += 1;
    if (status >= 500) route.serverErrors += 1;
    else if (status >= 400) route.clientErrors += 1;
    if (status === 503) route.unavailable += 1;
    const latency = Math.round(latencyMs * 100) / 100;
    route.latencySumMs += latency;
    if (latency > route.latencyMaxMs) route.latencyMaxMs = latency;
    if (route.latencySamplesMs.length < LATENCY_SAMPLES) {
      route.latencySamplesMs.push(latency);
    } else {
      const slot = Math.floor(this.random() * route.requests);
      if (slot < LATENCY_SAMPLES) route.latencySamplesMs[slot] = latency;
    }
  }

  /** This interval's figures, routes with traffic only; starts the next interval. */
  drain(): RouteMetrics[] {
    const routes = [...this.routes.values()];
    this.routes = new Map();
    return routes;
  }
}
