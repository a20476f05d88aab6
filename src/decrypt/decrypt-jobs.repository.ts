import type { DecryptJob } from './decrypt-job';

export abstract class DecryptJobsRepository {
  abstract save(job: DecryptJob): Promise<void>;
  abstract findById(jobId: string): Promise<DecryptJob | undefined>;
  /** Deletes every job of the user; returns how many. */
  abstract deleteAllForUser(userId: string): Promise<number>;
}
