import { S3Client } from '@aws-sdk/client-s3';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ObjectStorage } from './object-storage';
import { createS3Client } from './s3-client';
import { S3ObjectStorage } from './s3-object-storage';

/** Shared S3 infrastructure: one client per process behind the `ObjectStorage` repository. */
@Global()
@Module({
  providers: [
    { provide: S3Client, inject: [AppConfig], useFactory: (config: AppConfig) => createS3Client(config.storage) },
    { provide: ObjectStorage, useClass: S3ObjectStorage },
  ],
  exports: [ObjectStorage],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(S3Client) private readonly s3: S3Client) {}

  onApplicationShutdown(): void {
    this.s3.destroy();
  }
}
