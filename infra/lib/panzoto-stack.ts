import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TableNames } from '../../src/config/app-config';
import { tableDefinitions } from '../../src/database/table-definitions';
import { DECRYPTED_PREFIX, UNREGISTERED_UPLOAD_DAYS, UPLOADS_PREFIX } from '../../src/storage/object-keys';
import { BUCKET_ACTIONS, MAIL_ACTIONS, OBJECT_PERMISSIONS, READINESS_TABLE_ACTION, TABLE_PERMISSIONS } from './service-permissions';
import { DeploymentSettings } from './settings';
import { createTables } from './tables';

export const CONTAINER_PORT = 3000;
/**
 * The load balancer checks liveness, not readiness (docs/deploy.md): a DynamoDB outage hits every
 * task alike, so taking tasks out of the target group cannot help (an ALB with no healthy target
 * sends to all of them anyway), while ECS would stop and replace every task that fails the check and
 * turn a dependency blip into a restart storm. The service answers 503 + Retry-After by itself.
 */
export const HEALTH_CHECK_PATH = '/api/health';

/** The node one-liner of the Dockerfile's HEALTHCHECK: slim images have no curl. */
export const CONTAINER_HEALTH_CHECK =
  "require('node:http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/api/health',timeout:4000},(r)=>{r.resume();process.exit(r.statusCode===200?0:1)}).on('timeout',function(){this.destroy(new Error('timeout'))}).on('error',()=>process.exit(1))";

/**
 * The load balancer's idle timeout. The service keeps an idle connection longer (KEEP_ALIVE_TIMEOUT_MS),
 * so the ALB, not Node, closes idle connections and never sends a request on one Node has just closed.
 */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;
const KEEP_ALIVE_BEYOND_ALB_SECONDS = 12;

export interface PanzotoStackProps extends StackProps {
  settings: DeploymentSettings;
  /** Overrides the image chosen by the settings (tests use a registry image to skip the asset copy). */
  image?: ecs.ContainerImage;
}

/** The folder holding the Dockerfile (the repository root), from the source or the compiled file. */
function repositoryRoot(): string {
  for (let directory = __dirname; directory !== dirname(directory); directory = dirname(directory)) {
    if (existsSync(join(directory, 'Dockerfile')) && existsSync(join(directory, 'package.json'))) return directory;
  }
  throw new Error('no Dockerfile above infra/');
}

export function tableNamesFor(prefix: string): TableNames {
  return {
    users: `${prefix}-users`,
    audioFiles: `${prefix}-audio-files`,
    decryptJobs: `${prefix}-decrypt-jobs`,
    sessions: `${prefix}-sessions`,
    rateLimits: `${prefix}-rate-limits`,
    accountTokens: `${prefix}-account-tokens`,
  };
}

/**
 * panzoto-backend on ECS Fargate behind an Application Load Balancer, with its DynamoDB tables (from
 * the service's own table definitions), its S3 bucket, its JWT secret and its logs.
 */
export class PanzotoStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskRole: iam.Role;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PanzotoStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const names = tableNamesFor(settings.tableNamePrefix);

    // ---- data: tables and bucket, kept when the stack is deleted ----
    const tables = createTables(this, tableDefinitions(names));

    const decryptedCopyDays = Math.ceil(settings.decryptedCopyTtlHours / 24);
    this.bucket = new s3.Bucket(this, 'RecordingsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // The same rule `npm run dev` sets on s3rver (src/storage/bucket-provisioner.ts).
        { id: 'expire-decrypted-copies', prefix: DECRYPTED_PREFIX, expiration: Duration.days(decryptedCopyDays) },
        // Registration moves an upload to users/; what an upload URL wrote and nobody registered goes here.
        { id: 'expire-unregistered-uploads', prefix: UPLOADS_PREFIX, expiration: Duration.days(UNREGISTERED_UPLOAD_DAYS) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          // Presigned PUT uploads (and GET downloads) from browsers; the signature is the authorisation.
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: settings.uploadOrigins,
          allowedHeaders: ['content-type', 'content-length'],
          exposedHeaders: ['etag'],
          maxAge: 3000,
        },
      ],
    });

    const jwtSecret = new secretsmanager.Secret(this, 'JwtSecret', {
      description: 'panzoto-backend JWT_SECRET (HS256 signing key); rotate as docs/deploy.md explains',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- network ----
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'service', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
    });
    // DynamoDB and S3 traffic stays on the AWS network and off the NAT gateway's bill.
    vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    // ---- the task's permissions: exactly what the code does, nothing else ----
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'panzoto-backend tasks: its tables and indexes, its bucket prefixes, mail from its SES identity',
    });
    for (const [role, permissions] of Object.entries(TABLE_PERMISSIONS) as [keyof TableNames, (typeof TABLE_PERMISSIONS)[keyof TableNames]][]) {
      const table = tables[role];
      this.taskRole.addToPolicy(
        new iam.PolicyStatement({
          sid: `${role}Table`,
          actions: [...new Set([READINESS_TABLE_ACTION, ...permissions.actions])].sort(),
          resources: [table.tableArn],
        }),
      );
      if (permissions.queriedIndexes.length > 0) {
        this.taskRole.addToPolicy(
          new iam.PolicyStatement({
            sid: `${role}Indexes`,
            actions: ['dynamodb:Query'],
            resources: permissions.queriedIndexes.map((index) => `${table.tableArn}/index/${index}`),
          }),
        );
      }
    }
    for (const { prefix, actions } of OBJECT_PERMISSIONS) {
      this.taskRole.addToPolicy(
        new iam.PolicyStatement({
          sid: `Objects${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
          actions: [...actions].sort(),
          resources: [this.bucket.arnForObjects(`${prefix}*`)],
        }),
      );
    }
    this.taskRole.addToPolicy(new iam.PolicyStatement({ sid: 'Bucket', actions: BUCKET_ACTIONS, resources: [this.bucket.bucketArn] }));
    // Mail leaves through SES from this domain alone; its DKIM records must be added to the domain's DNS.
    const mailIdentity = new ses.EmailIdentity(this, 'MailIdentity', { identity: ses.Identity.domain(settings.mailDomain) });
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Mail',
        actions: MAIL_ACTIONS,
        resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: mailIdentity.emailIdentityName })],
      }),
    );

    // ---- the service ----
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const image =
      props.image ??
      (settings.imageTag
        ? ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(this, 'Repository', settings.repositoryName), settings.imageTag)
        : ecs.ContainerImage.fromAsset(repositoryRoot(), { platform: Platform.LINUX_AMD64 }));

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMiB,
      taskRole: this.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const environment: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: String(CONTAINER_PORT),
      LOG_LEVEL: 'info',
      AWS_REGION: this.region,
      USERS_TABLE: tables.users.tableName,
      AUDIO_FILES_TABLE: tables.audioFiles.tableName,
      DECRYPT_JOBS_TABLE: tables.decryptJobs.tableName,
      SESSIONS_TABLE: tables.sessions.tableName,
      RATE_LIMITS_TABLE: tables.rateLimits.tableName,
      ACCOUNT_TOKENS_TABLE: tables.accountTokens.tableName,
      S3_BUCKET: this.bucket.bucketName,
      DECRYPTED_COPY_TTL_HOURS: String(settings.decryptedCopyTtlHours),
      // The task's memory is sized for this many decryptions at once (infra/lib/settings.ts).
      DECRYPT_CONCURRENCY: String(settings.decryptConcurrency),
      // The ALB is the one proxy in front: the client address is the last X-Forwarded-For entry it adds.
      TRUSTED_PROXY_HOPS: '1',
      SHUTDOWN_GRACE_MS: String(settings.shutdownGraceSeconds * 1000),
      KEEP_ALIVE_TIMEOUT_MS: String((ALB_IDLE_TIMEOUT_SECONDS + KEEP_ALIVE_BEYOND_ALB_SECONDS) * 1000),
      METRICS_FLUSH_SECONDS: '60',
      MAIL_FROM: `Panzoto <${settings.mailSender}@${settings.mailDomain}>`,
      APP_LINK_BASE_URL: settings.appLinkBaseUrl,
    };
    if (settings.apiCorsOrigins.length > 0) environment.CORS_ORIGINS = settings.apiCorsOrigins.join(',');
    taskDefinition.addContainer('api', {
      image,
      essential: true,
      environment,
      // Read by the execution role at task start and handed to the process as an environment
      // variable; the task role (the code's identity) cannot read the secret.
      secrets: { JWT_SECRET: ecs.Secret.fromSecretsManager(jwtSecret) },
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'api', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      // ECS ignores the image's HEALTHCHECK; this is the same liveness probe.
      healthCheck: {
        command: ['CMD', 'node', '-e', CONTAINER_HEALTH_CHECK],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      // SIGTERM, then SIGKILL this much later: the grace period plus a margin for the exit itself.
      stopTimeout: Duration.seconds(Math.min(120, settings.shutdownGraceSeconds + 5)),
      readonlyRootFilesystem: true,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: settings.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      enableExecuteCommand: false,
    });

    // ---- load balancer ----
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
    });
    const certificate = settings.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn) : undefined;
    const listener = certificate
      ? loadBalancer.addListener('Https', { port: 443, certificates: [certificate], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS })
      : loadBalancer.addListener('Http', { port: 80 });
    if (certificate) loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    const targetGroup = listener.addTargets('Api', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: 'api', containerPort: CONTAINER_PORT })],
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // A task leaving the target group gets no new requests and this long for the ones in flight,
      // the same budget the process gives them after SIGTERM (SHUTDOWN_GRACE_MS).
      deregistrationDelay: Duration.seconds(settings.shutdownGraceSeconds),
      // Decryption streams are long: send new requests to the task with the fewest in flight.
      loadBalancingAlgorithmType: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
    });

    // ---- scaling and deployment safety ----
    const scaling = this.service.autoScaleTaskCount({ minCapacity: settings.desiredCount, maxCapacity: settings.maxCount });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: settings.cpuTargetPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: settings.requestsPerTaskPerMinute,
      targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    // A literal name: a reference to the alarm from the service would be a circular dependency.
    const serverErrorsAlarmName = `${this.stackName}-api-5xx`;
    new cloudwatch.Alarm(this, 'ServerErrorsAlarm', {
      alarmName: serverErrorsAlarmName,
      alarmDescription: 'Tasks answer 5xx (503 = a dependency is unavailable); rolls back a deployment in progress',
      metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 20,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.service.enableDeploymentAlarms([serverErrorsAlarmName], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });

    new CfnOutput(this, 'ApiUrl', { value: `${certificate ? 'https' : 'http'}://${loadBalancer.loadBalancerDnsName}/api` });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'JwtSecretArn', { value: jwtSecret.secretArn });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
    new CfnOutput(this, 'LogGroupName', { value: logGroup.logGroupName });
    for (const [role, table] of Object.entries(tables)) new CfnOutput(this, `${role}TableName`, { value: table.tableName });
  }
}
