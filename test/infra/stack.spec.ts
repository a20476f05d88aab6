import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { validateEnvironment } from '../../src/config/environment';
import { tableDefinitions, TTL_ATTRIBUTE } from '../../src/database/table-definitions';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALB_IDLE_TIMEOUT_SECONDS, CONTAINER_HEALTH_CHECK, HEALTH_CHECK_PATH, PanzotoStack, tableNamesFor } from '../../infra/lib/panzoto-stack';
import { DEFAULT_SETTINGS, DeploymentSettings, requiredMemoryMiB, settingsFromContext, taskMemoryMiB } from '../../infra/lib/settings';
import { DECRYPT_MEMORY_BYTES } from '../../src/decrypt/decrypt-slots';

/** An object of the synthesized CloudFormation JSON, typed as CDK's assertions type it. */
type TemplateObject = ReturnType<Template['findResources']>[string];
type Resource = { Type: string; Properties: TemplateObject; DeletionPolicy?: string };

/** Synthesized assemblies (with the Dockerfile asset's copy) go here and are removed afterwards. */
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((outdir) => rmSync(outdir, { recursive: true, force: true })));

function synth(
  settings: Partial<DeploymentSettings> = {},
  image: ecs.ContainerImage | null = ecs.ContainerImage.fromRegistry('panzoto-backend:test'),
) {
  const outdir = mkdtempSync(join(tmpdir(), 'panzoto-cdk-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new PanzotoStack(app, 'Test', { settings: { ...DEFAULT_SETTINGS, ...settings }, image: image ?? undefined });
  return { app, stack, template: Template.fromStack(stack) };
}

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0];
}

function container(template: Template): TemplateObject {
  return only(template, 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions[0];
}

const environmentOf = (definition: TemplateObject): Record<string, string> =>
  Object.fromEntries((definition.Environment as { Name: string; Value: unknown }[]).map(({ Name, Value }) => [Name, Value as string]));

describe('the CDK stack', () => {
  const { app, template } = synth();
  const definitions = tableDefinitions(tableNamesFor('panzoto'));

  it('synthesizes offline: no lookup, no context it would have to fetch from AWS', () => {
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('uses the service’s default table names, so the code and the stack agree without configuration', () => {
    const defaults = validateEnvironment({}, { requireProductionSecrets: false });
    expect(tableNamesFor(DEFAULT_SETTINGS.tableNamePrefix)).toEqual({
      users: defaults.USERS_TABLE,
      audioFiles: defaults.AUDIO_FILES_TABLE,
      decryptJobs: defaults.DECRYPT_JOBS_TABLE,
      sessions: defaults.SESSIONS_TABLE,
      rateLimits: defaults.RATE_LIMITS_TABLE,
      accountTokens: defaults.ACCOUNT_TOKENS_TABLE,
    });
  });

  describe('DynamoDB tables, from src/database/table-definitions.ts', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Resource[];

    it('one per definition, with the same keys, attributes, indexes and projections', () => {
      expect(tables.map((table) => table.Properties.TableName).sort()).toEqual(definitions.map(({ create }) => create.TableName).sort());
      for (const { create } of definitions) {
        const table = tables.find((candidate) => candidate.Properties.TableName === create.TableName) as Resource;
        expect(table.Properties.KeySchema).toEqual(create.KeySchema);
        expect(table.Properties.AttributeDefinitions).toEqual(expect.arrayContaining(create.AttributeDefinitions ?? []));
        expect(table.Properties.AttributeDefinitions).toHaveLength(create.AttributeDefinitions?.length ?? 0);
        expect(table.Properties.GlobalSecondaryIndexes ?? []).toEqual(
          (create.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
        );
      }
    });

    it('on demand, encrypted with a KMS key, point-in-time recovery, deletion protection, retained on stack deletion', () => {
      for (const table of tables) {
        expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
        expect(table.Properties.Replicas).toHaveLength(1);
        expect(table.Properties.Replicas[0]).toMatchObject({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        });
        expect(table.DeletionPolicy).toBe('Retain');
      }
    });

    it('TTL exactly where the definitions have one', () => {
      for (const { create, timeToLiveAttribute } of definitions) {
        const table = tables.find((candidate) => candidate.Properties.TableName === create.TableName) as Resource;
        expect(table.Properties.TimeToLiveSpecification).toEqual(timeToLiveAttribute ? { AttributeName: TTL_ATTRIBUTE, Enabled: true } : undefined);
      }
      expect(definitions.filter((definition) => definition.timeToLiveAttribute).map((definition) => definition.role)).toEqual([
        'decryptJobs',
        'sessions',
        'rateLimits',
        'accountTokens',
      ]);
    });
  });

  describe('the S3 bucket', () => {
    const bucket = only(template, 'AWS::S3::Bucket');

    it('blocks all public access, encrypts at rest, is retained', () => {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(bucket.DeletionPolicy).toBe('Retain');
    });

    it('refuses every request not made over TLS (1.2 or later)', () => {
      const statements = only(template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument.Statement as TemplateObject[];
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      );
      expect(statements.filter((statement) => statement.Effect === 'Allow')).toEqual([]);
    });

    it('expires decrypted copies after DECRYPTED_COPY_TTL_HOURS rounded up to days, and lets browsers PUT to presigned URLs', () => {
      expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Prefix: 'decrypted/', ExpirationInDays: 1, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      );
      expect(bucket.Properties.CorsConfiguration.CorsRules[0].AllowedMethods).toEqual(expect.arrayContaining(['PUT']));
      const longer = only(synth({ decryptedCopyTtlHours: 60 }).template, 'AWS::S3::Bucket');
      expect(longer.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ Prefix: 'decrypted/', ExpirationInDays: 3 });
    });

    it('expires uploads nobody registered: upload URLs write only under uploads/, which registration empties', () => {
      expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([{ Id: 'expire-unregistered-uploads', Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }]),
      );
      // Recordings themselves never expire.
      const expiring = (bucket.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[])
        .filter((rule) => rule.ExpirationInDays !== undefined)
        .map((rule) => rule.Prefix);
      expect(expiring.sort()).toEqual(['decrypted/', 'uploads/']);
    });
  });

  describe('the ECS service behind the load balancer', () => {
    it('runs at least two Fargate tasks, rolls back failed deployments (circuit breaker and 5xx alarm)', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: 'FARGATE',
        DesiredCount: 2,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          Alarms: { AlarmNames: ['Test-api-5xx'], Enable: true, Rollback: true },
        },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-api-5xx', MetricName: 'HTTPCode_Target_5XX_Count' });
    });

    it('checks health on the liveness path, and gives a leaving task the same grace period as the process', () => {
      expect(HEALTH_CHECK_PATH).toBe('/api/health');
      const targetGroup = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
      expect(targetGroup).toMatchObject({ HealthCheckPath: '/api/health', Matcher: { HttpCode: '200' }, Port: 3000, TargetType: 'ip' });
      const attributes = Object.fromEntries(targetGroup.TargetGroupAttributes.map(({ Key, Value }: { Key: string; Value: string }) => [Key, Value]));
      const environment = environmentOf(container(template));
      expect(Number(attributes['deregistration_delay.timeout_seconds']) * 1000).toBe(Number(environment.SHUTDOWN_GRACE_MS));
      expect(environment.SHUTDOWN_GRACE_MS).toBe(String(validateEnvironment({}, { requireProductionSecrets: false }).SHUTDOWN_GRACE_MS));
      // ECS sends SIGKILL only after the grace period has had its chance.
      expect(container(template).StopTimeout * 1000).toBeGreaterThan(Number(environment.SHUTDOWN_GRACE_MS));
    });

    it('keeps idle connections in the service longer than the load balancer does', () => {
      const attributes = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties.LoadBalancerAttributes as {
        Key: string;
        Value: string;
      }[];
      expect(attributes).toEqual(expect.arrayContaining([{ Key: 'idle_timeout.timeout_seconds', Value: String(ALB_IDLE_TIMEOUT_SECONDS) }]));
      const keepAliveMs = Number(environmentOf(container(template)).KEEP_ALIVE_TIMEOUT_MS);
      expect(keepAliveMs).toBeGreaterThan(ALB_IDLE_TIMEOUT_SECONDS * 1000);
      expect(validateEnvironment({ KEEP_ALIVE_TIMEOUT_MS: String(keepAliveMs) }, { requireProductionSecrets: false }).KEEP_ALIVE_TIMEOUT_MS).toBe(
        keepAliveMs,
      );
    });

    it('follows a different grace period everywhere at once', () => {
      const { template: other } = synth({ shutdownGraceSeconds: 40 });
      const targetGroup = only(other, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
      expect(targetGroup.TargetGroupAttributes).toEqual(expect.arrayContaining([{ Key: 'deregistration_delay.timeout_seconds', Value: '40' }]));
      expect(environmentOf(container(other)).SHUTDOWN_GRACE_MS).toBe('40000');
      expect(container(other).StopTimeout).toBe(45);
    });

    it('passes the tables, bucket and proxy settings as environment, and JWT_SECRET from Secrets Manager', () => {
      const definition = container(template);
      const environment = environmentOf(definition);
      expect(environment).toMatchObject({
        NODE_ENV: 'production',
        PORT: '3000',
        TRUSTED_PROXY_HOPS: '1',
        USERS_TABLE: expect.anything(),
        AUDIO_FILES_TABLE: expect.anything(),
        DECRYPT_JOBS_TABLE: expect.anything(),
        SESSIONS_TABLE: expect.anything(),
        RATE_LIMITS_TABLE: expect.anything(),
        ACCOUNT_TOKENS_TABLE: expect.anything(),
        S3_BUCKET: { Ref: expect.stringMatching(/^RecordingsBucket/) },
        MAIL_FROM: `Panzoto <no-reply@${DEFAULT_SETTINGS.mailDomain}>`,
        APP_LINK_BASE_URL: DEFAULT_SETTINGS.appLinkBaseUrl,
      });
      expect(environment.JWT_SECRET).toBeUndefined();
      expect(definition.Secrets).toEqual([{ Name: 'JWT_SECRET', ValueFrom: { Ref: expect.stringMatching(/^JwtSecret/) } }]);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      // Every schema variable the stack sets exists in the service's schema.
      const schema = validateEnvironment({}, { requireProductionSecrets: false }) as unknown as Record<string, unknown>;
      expect(Object.keys(environment).filter((name) => !(name in schema))).toEqual([]);
    });

    it('logs to CloudWatch with a retention, probes liveness in the container too, and runs read-only', () => {
      const definition = container(template);
      expect(definition.LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
      expect(only(template, 'AWS::Logs::LogGroup').Properties.RetentionInDays).toBe(30);
      expect(definition.HealthCheck.Command).toEqual(['CMD', 'node', '-e', CONTAINER_HEALTH_CHECK]);
      expect(CONTAINER_HEALTH_CHECK).toContain(`path:'${HEALTH_CHECK_PATH}'`);
      // The same probe as the image's HEALTHCHECK, which ECS ignores.
      expect(readFileSync('Dockerfile', 'utf8')).toContain(`CMD ["node", "-e", ${JSON.stringify(CONTAINER_HEALTH_CHECK)}]`);
      expect(definition.ReadonlyRootFilesystem).toBe(true);
    });

    it('scales on CPU and on ALB requests per target, from the desired count up', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
      const metrics = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map(
        (policy) => (policy as Resource).Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
      );
      expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    });

    it('accepts traffic to the tasks only from the load balancer', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[];
      expect(ingress).toHaveLength(1);
      expect(ingress[0].Properties).toMatchObject({
        FromPort: 3000,
        ToPort: 3000,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^LoadBalancerSecurityGroup/), 'GroupId'] },
      });
    });
  });

  describe('images and listeners', () => {
    it('builds the Dockerfile as a CDK asset by default (only the .dockerignore allow-list goes into it)', () => {
      const { template: built } = synth({}, null);
      expect(JSON.stringify(container(built).Image)).toContain('container-assets');
    });

    it('deploys a tag from ECR when imageTag is given, and serves HTTPS with a certificate (HTTP redirects)', () => {
      const { template: tagged } = synth(
        {
          imageTag: 'v1.2.3',
          certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        },
        null,
      );
      expect(JSON.stringify(container(tagged).Image)).toMatch(/\.dkr\.ecr\..*\/panzoto-backend:v1\.2\.3/);
      tagged.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
      tagged.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
      });
    });
  });

  describe('task memory, derived from the decryption bound', () => {
    const defaults = validateEnvironment({}, { requireProductionSecrets: false });

    it('holds every admitted decryption (DECRYPT_MEMORY_BYTES each) with headroom, and tells the service its bound', () => {
      const task = only(template, 'AWS::ECS::TaskDefinition').Properties;
      expect(Number(task.Memory)).toBe(taskMemoryMiB(512, defaults.DECRYPT_CONCURRENCY));
      expect(Number(task.Memory)).toBeGreaterThanOrEqual(requiredMemoryMiB(defaults.DECRYPT_CONCURRENCY));
      expect(requiredMemoryMiB(defaults.DECRYPT_CONCURRENCY)).toBeGreaterThan((defaults.DECRYPT_CONCURRENCY * DECRYPT_MEMORY_BYTES) / 2 ** 20);
      expect(environmentOf(container(template)).DECRYPT_CONCURRENCY).toBe(String(defaults.DECRYPT_CONCURRENCY));
    });

    it('grows with the bound, and refuses a memory size that cannot hold it', () => {
      const context = (values: Record<string, unknown>) => (key: string) => values[key];
      const larger = settingsFromContext(context({ decryptConcurrency: '48' }));
      expect(larger.memoryMiB).toBeGreaterThan(DEFAULT_SETTINGS.memoryMiB);
      expect(larger.memoryMiB).toBeGreaterThanOrEqual(requiredMemoryMiB(48));
      expect(() => settingsFromContext(context({ decryptConcurrency: '48', memoryMiB: '1024' }))).toThrow(/memoryMiB 1024/);
      expect(() => settingsFromContext(context({ decryptConcurrency: '1000', cpu: '256' }))).toThrow(/more than cpu 256 allows/);
    });
  });

  describe('settings from CDK context', () => {
    it('reads numbers and lists, and refuses fewer than two tasks or a grace period Fargate cannot honour', () => {
      const context = (values: Record<string, unknown>) => (key: string) => values[key];
      expect(settingsFromContext(context({ desiredCount: '3', uploadOrigins: 'https://a.example, https://b.example' }))).toMatchObject({
        desiredCount: 3,
        uploadOrigins: ['https://a.example', 'https://b.example'],
      });
      expect(() => settingsFromContext(context({ desiredCount: '1' }))).toThrow(/desiredCount/);
      expect(() => settingsFromContext(context({ shutdownGraceSeconds: '200' }))).toThrow(/shutdownGraceSeconds/);
      expect(() => settingsFromContext(context({ maxCount: 'many' }))).toThrow(/maxCount/);
    });
  });
});
