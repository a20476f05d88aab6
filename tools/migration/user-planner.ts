import type { User } from '../../src/users/user';
import type { DynamoDbMigrationWriter, Item } from './dynamodb-migration.writer';
import { userItems } from './items';
import { commitPlan, PlannedRow, plannedKeys, planWrites } from './plan-writes';
import type { PostgresSource, SourceRow } from './postgres-source';
import { canonicalUuid, checkUniqueRow, checkUserRow, keyText, normalisedEmail, SkippedRow, UserRow } from './row-rules';
import { newUnit, TablePlanner, UnitResult } from './scheduler';

interface UserPlanning {
  source: PostgresSource;
  writer: DynamoDbMigrationWriter;
  table: string;
  dryRun: boolean;
  batchSize: number;
  /** Filled with every user not migrated, so that a dry run reports their files as `owner_skipped`. */
  skippedUserIds: Set<string>;
}

/** Other rows' keys, per row key, of every group of emails equal once normalised. */
async function emailConflicts(source: PostgresSource): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  for (const candidate of await source.emailDuplicateCandidates()) {
    const email = normalisedEmail(candidate.email);
    if (email) groups.set(email, [...(groups.get(email) ?? []), candidate.key]);
  }
  const conflicts = new Map<string, string[]>();
  for (const keys of groups.values()) {
    if (keys.length < 2) continue;
    for (const key of keys)
      conflicts.set(
        key,
        keys.filter((other) => other !== key),
      );
  }
  return conflicts;
}

/** Validates `users` rows and writes the account and email claim of each, as registration would. */
export async function userPlanner(planning: UserPlanning): Promise<TablePlanner> {
  const { source, writer, table, skippedUserIds } = planning;
  const duplicateKeys = await source.duplicateKeys('users');
  const conflicts = await emailConflicts(source);

  const processUnit = async (rows: SourceRow[]): Promise<UnitResult> => {
    const result = newUnit(rows, 'users');
    const skip = (key: string, id: string | undefined, reason: SkippedRow['reason'], message: string, related?: string[]): void => {
      result.skipped.push({ table: 'users', key, reason, message, ...(related ? { related } : {}) });
      if (id) skippedUserIds.add(id);
    };
    const planned: PlannedRow<User>[] = [];
    for (const row of rows) {
      const key = keyText(row.user_id);
      const id = canonicalUuid(row.user_id);
      const checked = checkUniqueRow(key, 'user_id', duplicateKeys, () => checkUserRow(row as unknown as UserRow));
      if (!checked.ok) {
        skip(key, id, checked.reason, checked.message);
        continue;
      }
      const others = conflicts.get(key);
      if (others) {
        skip(
          key,
          id,
          'email_duplicate',
          `email equals another row's once trimmed and lower-cased (${checked.value.email}); every row of the group is skipped`,
          others,
        );
        continue;
      }
      for (const note of checked.warnings) result.warnings.push({ table: 'users', key, ...note });
      planned.push({ key, value: checked.value, items: userItems(checked.value) });
    }

    const found = await writer.getAll([{ table, keyName: 'user_id', keys: plannedKeys(planned, 'user') }]);
    const plan = planWrites(planned, found.get(table) as Map<string, Item>, 'user');
    for (const { row, owner } of plan.claimedByOther) {
      skip(row.key, row.value.id, 'email_claimed_by_other_user', `DynamoDB already has ${row.value.email} claimed by another account`, [owner]);
    }
    for (const { row, attributes } of plan.different) {
      skip(
        row.key,
        row.value.id,
        'exists_with_different_data',
        `DynamoDB already has this account with different ${attributes.join(', ')}; it is left as it is`,
      );
    }
    return commitPlan(plan, planning, result);
  };
  return { duplicateKeys, processUnit };
}
