import { Injectable } from '@nestjs/common';
import { DynamoDbRepository } from '../database/dynamodb.repository';
import { DECRYPT_JOBS_USER_INDEX } from '../database/table-definitions';
import type { DecryptJob, DecryptJobStatus } from './decrypt-job';
import { DecryptJobsRepository } from './decrypt-jobs.repository';

interface DecryptJobItem {
  job_id: string;
  user_id: string;
  file_id: string;
  created_at: number;
  created_at_iso: string;
  status: DecryptJobStatus;
  output_key?: string;
  /** Epoch seconds: DynamoDB's TTL attribute. */
  expires_at: number;
}

function toItem(job: DecryptJob): DecryptJobItem {
  return {
    job_id: job.id,
    user_id: job.userId,
    file_id: job.fileId,
    created_at: job.createdAt.getTime(),
    created_at_iso: job.createdAt.toISOString(),
    status: job.status,
    output_key: job.outputKey,
    expires_at: Math.floor(job.expiresAt.getTime() / 1000),
  };
}

function fromItem(item: Record<string, unknown> | undefined): DecryptJob | undefined {
  if (!item) return undefined;
  return {
    id: item.job_id as string,
    userId: item.user_id as string,
    fileId: item.file_id as string,
    createdAt: new Date(Number(item.created_at)),
    status: item.status as DecryptJobStatus,
    outputKey: item.output_key as string | undefined,
    expiresAt: new Date(Number(item.expires_at) * 1000),
  };
}

@Injectable()
export class DynamoDbDecryptJobsRepository extends DynamoDbRepository implements DecryptJobsRepository {
  protected readonly table = 'decryptJobs';

  async save(job: DecryptJob): Promise<void> {
    await this.putItem({ Item: toItem(job) });
  }

  /** TTL deletion lags expiry by up to days, so an expired record is treated as gone. */
  async findById(jobId: string): Promise<DecryptJob | undefined> {
    const job = fromItem(await this.getItem({ job_id: jobId }));
    return job && job.expiresAt.getTime() > Date.now() ? job : undefined;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const jobs = await this.queryAll({
      IndexName: DECRYPT_JOBS_USER_INDEX,
      KeyConditionExpression: 'user_id = :user_id',
      ExpressionAttributeValues: { ':user_id': userId },
      ProjectionExpression: 'job_id',
    });
    for (const job of jobs) {
      await this.deleteItem({ Key: { job_id: job.job_id } });
    }
    return jobs.length;
  }
}
