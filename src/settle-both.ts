/**
 * Both results once both promises have settled, or the first failure (in argument order).
 * Unlike Promise.all, neither call is still running when this rejects: the caller may
 * clean up what both use.
 */
export async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}
