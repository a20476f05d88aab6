import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/**
 * Work that runs after the response has gone (so that its duration tells the client nothing), and
 * that shutdown waits for before the database and mail clients close.
 */
@Injectable()
export class BackgroundTasks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackgroundTasks.name);
  private readonly pending = new Set<Promise<void>>();

  /** A failure is logged by the task's name and the error's name only: tasks handle mailed secrets. */
  run(name: string, task: () => Promise<void>): void {
    // Started on the next turn of the event loop, once the response has been written.
    const running: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => {
        const kind = error instanceof Error ? error.name : typeof error;
        this.logger.error({ task: name, error: kind }, 'Background task failed');
      })
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Resolves once every task started so far has ended. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }
}
