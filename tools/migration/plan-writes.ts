import type { DynamoDbMigrationWriter, Item } from './dynamodb-migration.writer';
import { storedDifferences } from './items';
import type { UnitResult } from './scheduler';

type ItemKind = 'user' | 'audio_file';

/** The partition-key attribute of each kind's table. */
const KEY_NAME: Record<ItemKind, 'user_id' | 'file_id'> = { user: 'user_id', audio_file: 'file_id' };

/** A valid row with the two items the service would write for it. */
export interface PlannedRow<T> {
  /** The row's key as the report names it. */
  key: string;
  value: T;
  items: { record: Item; claim: Item };
}

interface WritePlan<T> {
  /** The items DynamoDB lacks. */
  writes: Item[];
  /** Rows with at least one item to write, and rows already complete. */
  written: number;
  unchanged: number;
  /** Rows whose claim (email, s3_key) already belongs to another record: not written. */
  claimedByOther: Array<{ row: PlannedRow<T>; owner: string }>;
  /** Rows stored with different data: left as they are, not written. */
  different: Array<{ row: PlannedRow<T>; attributes: string[] }>;
}

/**
 * Compares each row's record and claim with what DynamoDB holds (`existing`, by partition key) and
 * decides: write the missing items, leave a complete row alone, or refuse a row whose claim
 * belongs to someone else or whose stored data differs. Never overwrites.
 */
export function planWrites<T>(rows: PlannedRow<T>[], existing: Map<string, Item>, kind: ItemKind): WritePlan<T> {
  const keyName = KEY_NAME[kind];
  const plan: WritePlan<T> = { writes: [], written: 0, unchanged: 0, claimedByOther: [], different: [] };
  for (const row of rows) {
    const { record: expectedRecord, claim: expectedClaim } = row.items;
    const record = existing.get(expectedRecord[keyName] as string);
    const claim = existing.get(expectedClaim[keyName] as string);
    if (claim && claim.claimed_by !== expectedRecord[keyName]) {
      plan.claimedByOther.push({ row, owner: String(claim.claimed_by) });
      continue;
    }
    const attributes = storedDifferences(row.items, record, claim, kind);
    if (attributes.length > 0) {
      plan.different.push({ row, attributes });
      continue;
    }
    const missing = [record ? undefined : expectedRecord, claim ? undefined : expectedClaim].filter((item): item is Item => item !== undefined);
    if (missing.length === 0) plan.unchanged++;
    else plan.written++;
    plan.writes.push(...missing);
  }
  return plan;
}

/** Where a planner writes its table; a dry run writes nothing. */
interface WriteTarget {
  writer: DynamoDbMigrationWriter;
  table: string;
  dryRun: boolean;
  batchSize: number;
}

/** Writes the items `plan` lacks (not in a dry run) and counts its rows and items in the unit's result. */
export async function commitPlan<T>(plan: WritePlan<T>, target: WriteTarget, result: UnitResult): Promise<UnitResult> {
  if (!target.dryRun && plan.writes.length > 0) await target.writer.putAll(target.table, plan.writes, target.batchSize);
  return Object.assign(result, { written: plan.written, unchanged: plan.unchanged, itemsWritten: plan.writes.length });
}

/** The partition keys of every row's record and claim, for one BatchGetItem. */
export function plannedKeys<T>(rows: PlannedRow<T>[], kind: ItemKind): string[] {
  const keyName = KEY_NAME[kind];
  return rows.flatMap(({ items }) => [items.record[keyName], items.claim[keyName]] as string[]);
}
