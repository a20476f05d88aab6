import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tableModule from '../../src/database/table-definitions';
import { PanzotoStack } from '../../infra/lib/panzoto-stack';
import { BUCKET_ACTIONS, MAIL_ACTIONS, OBJECT_PERMISSIONS, READINESS_TABLE_ACTION, TABLE_PERMISSIONS } from '../../infra/lib/service-permissions';
import { DEFAULT_SETTINGS } from '../../infra/lib/settings';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const outdir = mkdtempSync(join(tmpdir(), 'panzoto-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const stack = new PanzotoStack(new App({ outdir }), 'Test', { settings: DEFAULT_SETTINGS, image: ecs.ContainerImage.fromRegistry('test') });
const template = Template.fromStack(stack);
const roleId = stack.getLogicalId(stack.taskRole.node.defaultChild as never);

/** Every statement of every policy attached to the task role. */
const taskRoleStatements: Statement[] = Object.values(template.findResources('AWS::IAM::Policy'))
  .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
  .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const resourcesOf = (statement: Statement): string[] => [statement.Resource].flat().map((resource) => JSON.stringify(resource));

/** The helpers of DynamoDbRepository (src/database/dynamodb.repository.ts), each sending one command to the repository's table. */
const byHelper: Record<string, string> = {
  getItem: 'GetItem',
  putItem: 'PutItem',
  updateItem: 'UpdateItem',
  updateIf: 'UpdateItem',
  deleteItem: 'DeleteItem',
  query: 'Query',
  queryAll: 'Query',
};
const HELPER_CALL = /this\.(\w+)\(/g;

/** DynamoDB actions a repository's source uses: commands and helper calls, transaction items, and queries by index. */
function dynamoDbActionsIn(file: string): { table: Set<string>; indexes: Set<string> } {
  const source = readFileSync(file, 'utf8');
  const byCommand: Record<string, string> = {
    GetCommand: 'GetItem',
    PutCommand: 'PutItem',
    UpdateCommand: 'UpdateItem',
    DeleteCommand: 'DeleteItem',
    QueryCommand: 'Query',
    ScanCommand: 'Scan',
    BatchGetCommand: 'BatchGetItem',
    BatchWriteCommand: 'BatchWriteItem',
    TransactGetCommand: 'GetItem',
  };
  const table = new Set<string>();
  const actions = [
    ...[...source.matchAll(/new (\w+Command)\(/g)].map(([, command]) => {
      if (!byCommand[command]) throw new Error(`${file}: ${command} has no IAM mapping in this test; add it`);
      return byCommand[command];
    }),
    ...[...source.matchAll(HELPER_CALL)].flatMap(([, helper]) => (byHelper[helper] ? [byHelper[helper]] : [])),
  ];
  for (const action of actions) if (action !== 'Query') table.add(`dynamodb:${action}`);
  // TransactWriteItems is authorised item by item.
  for (const [, kind] of source.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g)) {
    table.add(`dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`);
  }
  const indexConstants = [...source.matchAll(/IndexName: (\w+)/g)].map(([, constant]) => constant);
  const indexes = new Set(indexConstants.map((constant) => (tableModule as unknown as Record<string, string>)[constant]));
  const queries = actions.filter((action) => action === 'Query').length;
  if (queries > indexConstants.length) table.add('dynamodb:Query');
  return { table, indexes };
}

/** Every file of the service (src/, but tests) that sends DynamoDB commands or is a DynamoDB repository: the tools/ programs do not run under the task role. */
function filesSendingDynamoDbCommands(directory = 'src'): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return filesSendingDynamoDbCommands(path);
    if (!path.endsWith('.ts') || path.endsWith('.spec.ts')) return [];
    const source = readFileSync(path, 'utf8');
    const sendsCommands = /from '@aws-sdk\/(lib|client)-dynamodb'/.test(source) && /new \w+Command\(/.test(source);
    return sendsCommands || /extends DynamoDbRepository\b/.test(source) ? [path] : [];
  });
}

describe('the task role: least privilege, matched to the code', () => {
  it('has no wildcard action, no wildcard resource, no Deny-less condition games', () => {
    expect(taskRoleStatements.length).toBeGreaterThan(0);
    for (const statement of taskRoleStatements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      for (const resource of resourcesOf(statement)) {
        expect(resource).not.toBe('"*"');
        // Object ARNs end in one of the two prefixes, never in a bare /*.
        if (resource.endsWith('*"]]}')) expect(resource).toMatch(/"\/(users|decrypted|uploads)\/\*"\]\]\}$/);
      }
    }
  });

  it('grants each table exactly the actions its repository uses (and the readiness GetItem), each index only Query', () => {
    for (const [role, permissions] of Object.entries(TABLE_PERMISSIONS)) {
      const used = dynamoDbActionsIn(permissions.source);
      expect({ role, actions: [...used.table].sort() }).toEqual({ role, actions: [...permissions.actions].sort() });
      expect({ role, indexes: [...used.indexes].sort() }).toEqual({ role, indexes: [...permissions.queriedIndexes].sort() });

      const onTable = taskRoleStatements.find((statement) => statement.Sid === `${role}Table`) as Statement;
      expect(actionsOf(onTable).sort()).toEqual([...new Set([READINESS_TABLE_ACTION, ...permissions.actions])].sort());
      expect(resourcesOf(onTable)).toEqual([expect.stringMatching(/^\{"Fn::GetAtt":\["\w+Table\w+","Arn"\]\}$/)]);
      const onIndexes = taskRoleStatements.find((statement) => statement.Sid === `${role}Indexes`);
      if (permissions.queriedIndexes.length === 0) expect(onIndexes).toBeUndefined();
      else {
        expect(actionsOf(onIndexes as Statement)).toEqual(['dynamodb:Query']);
        expect(resourcesOf(onIndexes as Statement)).toEqual(permissions.queriedIndexes.map((index) => expect.stringContaining(`/index/${index}"`)));
      }
    }
  });

  it('knows every file that talks to DynamoDB (a new repository must be added to TABLE_PERMISSIONS)', () => {
    const known = new Set([
      ...Object.values(TABLE_PERMISSIONS).map((permissions) => permissions.source),
      // The readiness probe: READINESS_TABLE_ACTION on every table.
      'src/database/database-health.repository.ts',
      // The base class sends the repositories' commands and transaction items (counted in their files above).
      'src/database/dynamodb.repository.ts',
      // db:init and npm run dev: in AWS the stack creates the tables, the service never does.
      'src/database/table-provisioner.ts',
    ]);
    expect(filesSendingDynamoDbCommands().filter((file) => !known.has(file))).toEqual([]);
  });

  it('grants S3 exactly what src/storage/s3-object-storage.ts does, on uploads/*, users/* and decrypted/* only', () => {
    const source = readFileSync('src/storage/s3-object-storage.ts', 'utf8');
    const byCommand: Record<string, string[]> = {
      GetObjectCommand: ['s3:GetObject'],
      HeadObjectCommand: ['s3:GetObject'],
      PutObjectCommand: ['s3:PutObject'],
      CopyObjectCommand: ['s3:GetObject', 's3:PutObject'],
      DeleteObjectCommand: ['s3:DeleteObject'],
      DeleteObjectsCommand: ['s3:DeleteObject'],
      ListObjectsV2Command: ['s3:ListBucket'],
      HeadBucketCommand: ['s3:ListBucket'],
    };
    const used = new Set<string>();
    for (const [, command] of source.matchAll(/new (\w+Command)\(/g)) {
      if (!byCommand[command]) throw new Error(`${command} has no IAM mapping in this test; add it`);
      byCommand[command].forEach((action) => used.add(action));
    }
    // lib-storage's Upload: multipart (CreateMultipartUpload/UploadPart/Complete = PutObject) and Abort.
    if (/new Upload\(/.test(source)) ['s3:PutObject', 's3:AbortMultipartUpload'].forEach((action) => used.add(action));
    const granted = new Set([...OBJECT_PERMISSIONS.flatMap((permissions) => permissions.actions), ...BUCKET_ACTIONS]);
    expect([...granted].sort()).toEqual([...used].sort());

    const s3Statements = taskRoleStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    const objectResources = s3Statements.filter((statement) => statement.Sid !== 'Bucket').flatMap(resourcesOf);
    expect(objectResources.map((resource) => resource.match(/"(\/[a-z]+\/\*)"/)?.[1]).sort()).toEqual(['/decrypted/*', '/uploads/*', '/users/*']);
    const bucketLevel = s3Statements.find((statement) => statement.Sid === 'Bucket') as Statement;
    expect(actionsOf(bucketLevel)).toEqual(['s3:ListBucket']);
    expect(resourcesOf(bucketLevel)).toEqual([expect.stringMatching(/^\{"Fn::GetAtt":\["RecordingsBucket\w+","Arn"\]\}$/)]);
  });

  it('sends mail with the SendEmail the mailer uses, from the stack’s SES identity only', () => {
    const source = readFileSync('src/mail/nodemailer.mailer.ts', 'utf8');
    expect(
      [...source.matchAll(/\b(\w+)Command\b/g)].map(([, name]) => `ses:${name}`).filter((name, index, all) => all.indexOf(name) === index),
    ).toEqual(MAIL_ACTIONS);
    const mail = taskRoleStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));
    expect(mail).toHaveLength(1);
    expect(actionsOf(mail[0])).toEqual(['ses:SendEmail']);
    const identity = Object.keys(template.findResources('AWS::SES::EmailIdentity'));
    expect(identity).toHaveLength(1);
    expect(resourcesOf(mail[0])).toEqual([expect.stringContaining(`":identity/",{"Ref":"${identity[0]}"}`)]);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: DEFAULT_SETTINGS.mailDomain });
  });

  it('cannot read the JWT secret (only the execution role can, to inject it) nor touch anything else', () => {
    const services = new Set(taskRoleStatements.flatMap(actionsOf).map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 's3', 'ses']);
  });
});
