import { S3_KEY_CLAIM_PREFIX } from '../../src/audio-files/audio-file.item';
import { EMAIL_CLAIM_PREFIX } from '../../src/users/user.item';
import type { DynamoDbMigrationWriter, Item } from './dynamodb-migration.writer';
import { audioFileItems, differingAttributes, userItems } from './items';
import type { PostgresSource } from './postgres-source';
import { AudioFileRow, checkAudioFileRow, checkUserRow, keyText, SkippedRow, UserRow } from './row-rules';
import { SOURCE_TABLES, SourceTable } from './source-schema';

const LISTED = 100;

interface TableVerification {
  source_rows: number;
  /** Rows the migration skipped (from its checkpoint); 0 when unknown. */
  skipped_rows: number;
  expected_items: number;
  /** Records in DynamoDB (claims not counted). */
  dynamodb_items: number;
  dynamodb_claims: number;
  /** Expected records that DynamoDB lacks (by count). */
  missing: number;
  /** Records beyond those expected: accounts or files created in the new service, or rows deleted from PostgreSQL since. */
  extra: number;
  sample: {
    rows: number;
    compared: number;
    equal: number;
    /** Sampled rows that were skipped or are invalid: nothing to compare. */
    not_migrated: number;
    /** Keys of sampled rows absent from DynamoDB (record or claim), at most 100 listed. */
    missing: string[];
    /** Sampled rows whose items differ, with the attribute names, at most 100 listed. */
    different: Array<{ key: string; attributes: string[] }>;
  };
}

export interface Verification {
  ok: boolean;
  skipped_known: boolean;
  tables: Record<SourceTable, TableVerification>;
  problems: string[];
  notes: string[];
}

interface VerifyInput {
  source: PostgresSource;
  writer: DynamoDbMigrationWriter;
  tables: { users: string; audioFiles: string };
  sample: number;
  segments: number;
  skipped: SkippedRow[];
  skippedKnown: boolean;
}

/**
 * Counts per table (PostgreSQL rows vs DynamoDB records, claims counted apart) and a field-by-field
 * comparison of a random sample of rows with the items the service would have written for them.
 */
export async function verifyMigration(input: VerifyInput): Promise<Verification> {
  const problems: string[] = [];
  const notes: string[] = [];
  const result = {} as Record<SourceTable, TableVerification>;
  for (const table of SOURCE_TABLES) {
    const dynamoTable = table === 'users' ? input.tables.users : input.tables.audioFiles;
    const keyName = table === 'users' ? 'user_id' : 'file_id';
    const prefix = table === 'users' ? EMAIL_CLAIM_PREFIX : S3_KEY_CLAIM_PREFIX;
    const skippedKeys = new Set(input.skipped.filter((entry) => entry.table === table).map((entry) => entry.key));
    const skippedRows = input.skipped.filter((entry) => entry.table === table).length;
    const [sourceRows, counts] = await Promise.all([
      input.source.count(table),
      input.writer.countItems(dynamoTable, keyName, prefix, input.segments),
    ]);
    const expected = sourceRows - skippedRows;
    const verification: TableVerification = {
      source_rows: sourceRows,
      skipped_rows: skippedRows,
      expected_items: expected,
      dynamodb_items: counts.items,
      dynamodb_claims: counts.claims,
      missing: Math.max(0, expected - counts.items),
      extra: Math.max(0, counts.items - expected),
      sample: { rows: 0, compared: 0, equal: 0, not_migrated: 0, missing: [], different: [] },
    };
    if (verification.missing > 0) problems.push(`${table}: ${verification.missing} of ${expected} expected records are missing in ${dynamoTable}`);
    if (verification.extra > 0) {
      notes.push(
        `${table}: ${dynamoTable} holds ${verification.extra} record(s) beyond the ${expected} migrated (created in the new service, or rows removed from PostgreSQL since)`,
      );
    }
    if (counts.claims !== counts.items) {
      problems.push(
        `${table}: ${counts.items} records but ${counts.claims} claim items in ${dynamoTable} (run the migration again to complete them)`,
      );
    }

    const rows = await input.source.sample(table, input.sample, sourceRows);
    verification.sample.rows = rows.length;
    const planned: Array<{ key: string; record: Item; claim: Item }> = [];
    for (const row of rows) {
      const key = keyText(table === 'users' ? row.user_id : row.file_id);
      const checked = table === 'users' ? checkUserRow(row as unknown as UserRow) : checkAudioFileRow(row as unknown as AudioFileRow);
      if (skippedKeys.has(key) || !checked.ok) {
        verification.sample.not_migrated++;
        continue;
      }
      const items = table === 'users' ? userItems(checked.value as never) : audioFileItems(checked.value as never);
      planned.push({ key, ...items });
    }
    const found = (
      await input.writer.getAll([
        { table: dynamoTable, keyName, keys: planned.flatMap(({ record, claim }) => [record[keyName], claim[keyName]] as string[]) },
      ])
    ).get(dynamoTable) as Map<string, Item>;
    for (const { key, record, claim } of planned) {
      verification.sample.compared++;
      const actualRecord = found.get(record[keyName] as string);
      const actualClaim = found.get(claim[keyName] as string);
      if (!actualRecord || !actualClaim) {
        if (verification.sample.missing.length < LISTED) verification.sample.missing.push(key);
        continue;
      }
      const attributes = [
        ...differingAttributes(record, actualRecord, table === 'users' ? 'user' : 'audio_file'),
        ...differingAttributes(claim, actualClaim, 'claim').map((name) => `claim.${name}`),
      ];
      if (attributes.length > 0) {
        if (verification.sample.different.length < LISTED) verification.sample.different.push({ key, attributes });
        continue;
      }
      verification.sample.equal++;
    }
    const unequal = verification.sample.compared - verification.sample.equal;
    if (unequal > 0) problems.push(`${table}: ${unequal} of ${verification.sample.compared} sampled rows are missing or differ in ${dynamoTable}`);
    result[table] = verification;
  }
  if (!input.skippedKnown) notes.push('no checkpoint of this job was found: skipped rows are unknown, so every row was expected');
  return { ok: problems.length === 0, skipped_known: input.skippedKnown, tables: result, problems, notes };
}
