import type { DecryptJob } from './decrypt-job';

export abstract class DecryptJobsRepository {
  abstract save(job: DecryptJob): Promise<void>;
  abstract findById(jobId: string): Promise<DecryptJob | undefined>;
}
