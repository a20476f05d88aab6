import { Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '../config/app-config';
import { toEmfDocument } from './emf';
import { RequestMetrics } from './request-metrics';

/**
 * Request count, errors and latency per route, written every METRICS_FLUSH_SECONDS to stdout as
 * CloudWatch embedded-metric-format lines (one per route with traffic), and once more at shutdown.
 * Nothing is exposed over HTTP. Off with METRICS_FLUSH_SECONDS=0 or LOG_LEVEL=silent.
 */
class MetricsPublisher implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: RequestMetrics,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    /** Where the lines go; stdout, which the awslogs driver ships to CloudWatch Logs. */
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {}

  get enabled(): boolean {
    return this.config.metrics.flushSeconds > 0 && this.config.logLevel !== 'silent';
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      this.metrics.record(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });
    this.timer = setInterval(() => this.flush(), this.config.metrics.flushSeconds * 1000);
    this.timer.unref();
  }

  /** Writes this interval's documents; called by the timer and at shutdown. */
  flush(): void {
    const timestamp = Date.now();
    const lines = this.metrics.drain().map((route) => JSON.stringify(toEmfDocument(route, this.config.metrics.namespace, timestamp)));
    if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }

  /** Runs after the HTTP server has drained, so the last requests are counted too. */
  onApplicationShutdown(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.flush();
  }
}

@Module({
  providers: [
    { provide: RequestMetrics, useFactory: () => new RequestMetrics() },
    {
      provide: MetricsPublisher,
      inject: [RequestMetrics, HttpAdapterHost, AppConfig],
      useFactory: (metrics: RequestMetrics, host: HttpAdapterHost, config: AppConfig) => new MetricsPublisher(metrics, host, config),
    },
  ],
  exports: [RequestMetrics],
})
export class MetricsModule {}
