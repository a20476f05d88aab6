import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AccountsService } from './accounts.service';

/**
 * Runs the final sweep of deleted accounts every ACCOUNT_SWEEP_INTERVAL_SECONDS on every instance
 * (0 turns it off on this one). The state is in DynamoDB, so any instance finishes any deletion.
 */
@Injectable()
export class DeletedAccountsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeletedAccountsSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const intervalSeconds = this.config.accountDeletion.sweepIntervalSeconds;
    if (intervalSeconds === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.accounts
        .sweepDueDeletions()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ error: (error as Error).message }, 'Sweep of deleted accounts failed; next interval retries'))
        .finally(() => (this.running = undefined));
    }, intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Lets a sweep in progress finish while DynamoDB and S3 clients are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
