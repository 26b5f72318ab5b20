import type { BenchContext } from '../lib/context';
import type { Result } from '../lib/measure';
export async function fanOut(_ctx: BenchContext): Promise<Result> {
  throw new Error('not built yet');
}
