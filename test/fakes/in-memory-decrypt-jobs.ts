import type { DecryptJob } from '../../src/decrypt/decrypt-job';
import { DecryptJobsRepository } from '../../src/decrypt/decrypt-jobs.repository';

export class InMemoryDecryptJobs extends DecryptJobsRepository {
  readonly jobs = new Map<string, DecryptJob>();
  async save(job: DecryptJob): Promise<void> {
    this.jobs.set(job.id, job);
  }
  async findById(jobId: string): Promise<DecryptJob | undefined> {
    return this.jobs.get(jobId);
  }
  async deleteAllForUser(userId: string): Promise<number> {
    const mine = [...this.jobs.values()].filter((job) => job.userId === userId);
    mine.forEach((job) => this.jobs.delete(job.id));
    return mine.length;
  }
}
