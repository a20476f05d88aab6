import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIO_FILES_USER_INDEX } from '../../src/database/table-definitions';

/** The page the bench lists: GET /api/user/audio-files?limit=20. */
export const BENCH_LIST_LIMIT = 20;

/** The Query the list endpoint makes: user-files-index, newest first, one item more than the page. */
export function userFilesQuery(documents: DynamoDBDocumentClient, table: string, userId: string): () => Promise<{ Items?: unknown[] }> {
  return () =>
    documents.send(
      new QueryCommand({
        TableName: table,
        IndexName: AUDIO_FILES_USER_INDEX,
        KeyConditionExpression: 'user_id = :user_id',
        ExpressionAttributeValues: { ':user_id': userId },
        ScanIndexForward: false,
        Limit: BENCH_LIST_LIMIT + 1,
      }),
    );
}
