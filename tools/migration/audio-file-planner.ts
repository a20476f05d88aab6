import type { AudioFile } from '../../src/audio-files/audio-file';
import type { DynamoDbMigrationWriter, Item } from './dynamodb-migration.writer';
import { audioFileItems } from './items';
import { commitPlan, PlannedRow, plannedKeys, planWrites } from './plan-writes';
import type { PostgresSource, SourceRow } from './postgres-source';
import { AudioFileRow, checkAudioFileRow, checkUniqueRow, keyText, SkippedRow } from './row-rules';
import { BoundedSet, newUnit, TablePlanner, UnitResult } from './scheduler';

const OWNER_CACHE_SIZE = 100_000;

interface AudioFilePlanning {
  source: PostgresSource;
  writer: DynamoDbMigrationWriter;
  tables: { users: string; audioFiles: string };
  dryRun: boolean;
  batchSize: number;
  /** Users not migrated (filled by the users' planner): in a dry run their files are `owner_skipped`. */
  skippedUserIds: ReadonlySet<string>;
}

type OwnerProblem = 'owner_missing' | 'owner_skipped';

/** A row of a group sharing one s3_key, and the row that owns the object. */
interface SharedS3Key {
  owner: string;
  /** The other rows of the group (not migrated), for the owner's warning. */
  others: string[];
}

/**
 * Rows sharing one s3_key: the earliest valid row (by uploaded_at, then file_id) keeps the object,
 * so the recording stays in its owner's list; the others are reported with the owner's file id.
 */
async function sharedS3Keys(source: PostgresSource, duplicateKeys: Map<string, number>): Promise<Map<string, SharedS3Key>> {
  const groups = new Map<string, Array<{ key: string; uploadedAt: number | undefined }>>();
  for (const row of await source.sharedS3KeyRows()) {
    const key = keyText(row.file_id);
    const checked = checkUniqueRow(key, 'file_id', duplicateKeys, () => checkAudioFileRow(row as unknown as AudioFileRow));
    const s3Key = String(row.s3_key);
    groups.set(s3Key, [...(groups.get(s3Key) ?? []), { key, uploadedAt: checked.ok ? checked.value.uploadedAt.getTime() : undefined }]);
  }
  const shared = new Map<string, SharedS3Key>();
  for (const rows of groups.values()) {
    const [first] = rows
      .filter((row) => row.uploadedAt !== undefined)
      .sort((a, b) => (a.uploadedAt as number) - (b.uploadedAt as number) || a.key.localeCompare(b.key));
    if (!first) continue;
    const others = rows.map((row) => row.key).filter((key) => key !== first.key);
    for (const row of rows) shared.set(row.key, { owner: first.key, others });
  }
  return shared;
}

/**
 * Validates `audio_files` rows and writes the record and s3_key claim of each, as registration
 * would, once its owner is known to be in DynamoDB (owners found are remembered, boundedly).
 */
export async function audioFilePlanner(planning: AudioFilePlanning): Promise<TablePlanner> {
  const { source, writer, skippedUserIds } = planning;
  const { users: usersTable, audioFiles: table } = planning.tables;
  const duplicateKeys = await source.duplicateKeys('audio_files');
  const shared = await sharedS3Keys(source, duplicateKeys);
  const knownOwners = new BoundedSet(OWNER_CACHE_SIZE);

  /** Why the owners not yet known cannot own files, for those that cannot. */
  const ownerProblems = async (candidates: Array<PlannedRow<AudioFile> & { rawOwner: string }>, ownerItems: Map<string, Item>, owners: string[]) => {
    const problems = new Map<string, OwnerProblem>();
    const absent = owners.filter((id) => typeof ownerItems.get(id)?.email !== 'string');
    for (const id of owners) if (!absent.includes(id)) knownOwners.add(id);
    if (absent.length === 0) return problems;
    const raw = candidates.filter(({ value }) => absent.includes(value.userId)).map(({ rawOwner }) => rawOwner);
    const inPostgres = await source.existingUserIds(raw);
    for (const id of absent) {
      if (!inPostgres.has(id)) problems.set(id, 'owner_missing');
      // In a dry run nothing was written: a valid user not skipped would be there.
      else if (planning.dryRun && !skippedUserIds.has(id)) knownOwners.add(id);
      else problems.set(id, 'owner_skipped');
    }
    return problems;
  };

  const processUnit = async (rows: SourceRow[]): Promise<UnitResult> => {
    const result = newUnit(rows, 'audio_files');
    const skip = (key: string, reason: SkippedRow['reason'], message: string, related?: string[]): void => {
      result.skipped.push({ table: 'audio_files', key, reason, message, ...(related ? { related } : {}) });
    };
    const candidates: Array<PlannedRow<AudioFile> & { rawOwner: string }> = [];
    for (const row of rows) {
      const key = keyText(row.file_id);
      const checked = checkUniqueRow(key, 'file_id', duplicateKeys, () => checkAudioFileRow(row as unknown as AudioFileRow));
      if (!checked.ok) {
        skip(key, checked.reason, checked.message);
        continue;
      }
      const group = shared.get(key);
      if (group && group.owner !== key) {
        skip(key, 's3_key_duplicate', `s3_key ${checked.value.s3Key} belongs to file ${group.owner}, the earliest row sharing it`, [group.owner]);
        continue;
      }
      if (group) {
        result.warnings.push({
          table: 'audio_files',
          key,
          code: 's3_key_shared',
          message: `migrated as the owner of s3_key ${checked.value.s3Key} (the earliest row); not migrated: ${group.others.join(', ')}`,
        });
      }
      for (const note of checked.warnings) result.warnings.push({ table: 'audio_files', key, ...note });
      candidates.push({ key, value: checked.value, items: audioFileItems(checked.value), rawOwner: String(row.user_id) });
    }

    const owners = [...new Set(candidates.map(({ value }) => value.userId))].filter((id) => !knownOwners.has(id));
    const found = await writer.getAll([
      { table, keyName: 'file_id', keys: plannedKeys(candidates, 'audio_file') },
      { table: usersTable, keyName: 'user_id', keys: owners },
    ]);
    const problems = await ownerProblems(candidates, found.get(usersTable) as Map<string, Item>, owners);
    const planned: PlannedRow<AudioFile>[] = [];
    for (const candidate of candidates) {
      const problem = problems.get(candidate.value.userId);
      if (!problem) {
        planned.push(candidate);
        continue;
      }
      const owner = candidate.value.userId;
      skip(
        candidate.key,
        problem,
        problem === 'owner_missing'
          ? `user ${owner} exists neither in PostgreSQL nor in DynamoDB`
          : `user ${owner} was not migrated (see its own entry)`,
        [owner],
      );
    }

    const plan = planWrites(planned, found.get(table) as Map<string, Item>, 'audio_file');
    for (const { row, owner } of plan.claimedByOther) {
      skip(row.key, 's3_key_claimed_by_other_file', `DynamoDB already has s3_key ${row.value.s3Key} registered to another file`, [owner]);
    }
    for (const { row, attributes } of plan.different) {
      skip(row.key, 'exists_with_different_data', `DynamoDB already has this file with different ${attributes.join(', ')}; it is left as it is`);
    }
    return commitPlan(plan, { ...planning, table }, result);
  };
  return { duplicateKeys, processUnit };
}
