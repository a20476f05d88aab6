import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Where a request stands against one quota policy, as the RateLimit header fields report it. */
interface RateLimitStatus {
  /** The policy's name in the header fields: "ip", "account", … */
  policy: string;
  quota: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

/** The policies a request was counted against, collected while it runs; one entry per policy name. */
export class RateLimitReport {
  private readonly statuses = new Map<string, RateLimitStatus>();

  record(status: RateLimitStatus): void {
    this.statuses.set(status.policy, status);
  }

  /**
   * `RateLimit-Policy` and `RateLimit` as draft-ietf-httpapi-ratelimit-headers-10 defines them
   * (structured-field lists, one item per policy): `"ip";q=120;w=60` and `"ip";r=119;t=42`.
   */
  headers(): Record<string, string> | undefined {
    if (this.statuses.size === 0) return undefined;
    const statuses = [...this.statuses.values()];
    return {
      'ratelimit-policy': statuses.map(({ policy, quota, windowSeconds }) => `"${policy}";q=${quota};w=${windowSeconds}`).join(', '),
      ratelimit: statuses.map(({ policy, remaining, resetSeconds }) => `"${policy}";r=${remaining};t=${resetSeconds}`).join(', '),
    };
  }
}

const reports = new WeakMap<object, RateLimitReport>();

/** The report of this request (made on first use): rate limiters record into it, the reply carries it. */
export function rateLimitReportOf(request: FastifyRequest): RateLimitReport {
  let report = reports.get(request.raw);
  if (!report) {
    report = new RateLimitReport();
    reports.set(request.raw, report);
  }
  return report;
}

/** Every reply, success or error, carries the header fields of the policies its request was counted against. */
export function sendRateLimitHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const headers = reports.get(request.raw)?.headers();
    if (headers) void reply.headers(headers);
    done(null, payload);
  });
}
