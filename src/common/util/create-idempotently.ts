/**
 * Sends a request that creates something, when a retry may repeat it: the SDK re-sends a request
 * whose answer was lost (a timeout on a loaded machine), and the repeat then fails with "already
 * exists" although the first one succeeded. Whenever the request fails, `exists` is asked: if the
 * thing is there, it counts as existing (`'existed'`), whoever made it; otherwise the error stands.
 */
export async function createIdempotently(create: () => Promise<unknown>, exists: () => Promise<boolean>): Promise<'created' | 'existed'> {
  try {
    await create();
    return 'created';
  } catch (error) {
    if (await exists()) return 'existed';
    throw error;
  }
}
