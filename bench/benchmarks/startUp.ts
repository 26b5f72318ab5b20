import type { BenchContext } from '../lib/context';
import type { Result } from '../lib/measure';
export async function startUp(_ctx: BenchContext): Promise<Result> {
  throw new Error('not built yet');
}
