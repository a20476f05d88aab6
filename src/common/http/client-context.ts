import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimitReport, rateLimitReportOf } from './rate-limit-headers';

/** Who is calling, as far as rate limits and the session list care. */
export interface ClientContext {
  /** The client's address: the socket peer, or X-Forwarded-For within TRUSTED_PROXY_HOPS. */
  ip: string;
  userAgent?: string;
  /** Rate limiters record here what the reply's RateLimit header fields report; absent outside HTTP. */
  rateLimits?: RateLimitReport;
}

export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined, rateLimits: rateLimitReportOf(request) };
});

let trustedProxyHops = 0;

/** Set once from configuration; read by Fastify for every request (see createAdapter). */
export function setTrustedProxyHops(hops: number): void {
  trustedProxyHops = hops;
}

/** Fastify's `trustProxy` hook: trust the nearest `trustedProxyHops` proxies, no further. */
export function isTrustedProxyHop(_address: string, hop: number): boolean {
  return hop < trustedProxyHops;
}
