import { App } from 'aws-cdk-lib';
import { PanzotoStack } from '../lib/panzoto-stack';
import { settingsFromContext } from '../lib/settings';

/**
 * The CDK app. `npm run infra:synth` runs it offline (no AWS call, no lookup: the stack is
 * environment-agnostic) and writes the CloudFormation template to cdk.out/; the CDK CLI runs the same
 * file (cdk.json) for `cdk deploy`, passing `-c name=value` settings (infra/lib/settings.ts).
 */
const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
const settings = settingsFromContext((key) => app.node.tryGetContext(key));
new PanzotoStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'PanzotoBackend', {
  settings,
  description: 'panzoto-backend: ECS Fargate service behind an ALB, DynamoDB tables, S3 bucket, JWT secret',
});
app.synth();
