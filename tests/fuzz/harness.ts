// The fuzz and model-based suites: each file in tests/fuzz/suites/ default-exports a FuzzSuite.
// `npm test` runs every suite seeded and short (a test file calls run() with a small budget);
// `npm run fuzz -- --seconds N` runs them longer with a fresh seed and prints what it tried.
// Properties use fast-check, so a failure names the seed (and path) that replays it.
import fc from 'fast-check';

export interface FuzzOptions {
  /** Same seed, same cases: a failure printed by `npm run fuzz` is replayed with `--seed`. */
  seed: number;
  /** Upper bound on cases (fast-check runs); a time limit may stop earlier. */
  numRuns: number;
  /** Stop starting new cases after this long (ms); cases already started finish. */
  timeLimitMs?: number;
  /** fast-check's replay path of a failing case, printed with its seed. */
  path?: string;
  log: (line: string) => void;
}

export interface FuzzResult {
  suite: string;
  seed: number;
  /** Cases tried. */
  cases: number;
  /** 0 or 1: fast-check stops at the first failing case and shrinks it. */
  failures: number;
  /** The shrunk counterexample and its error, when a case failed. */
  failure?: string;
  /** fast-check's path to replay the failure (`--seed S --path P`). */
  path?: string;
  /** Suite-specific counts, printed beside the cases (e.g. actions, lost, duplicated). */
  figures?: Record<string, number>;
}

export interface FuzzSuite {
  name: string;
  /** One line: what a case does and what it checks. */
  description: string;
  run(opts: FuzzOptions): Promise<FuzzResult>;
}

/** Runs an async fast-check property under the options and turns its details into a FuzzResult. */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  suite: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  opts: FuzzOptions,
  figures?: () => Record<string, number>,
): Promise<FuzzResult> {
  const details = await fc.check(stopStartingAfter(property, opts.timeLimitMs), {
    seed: opts.seed,
    numRuns: opts.numRuns,
    path: opts.path,
    markInterruptAsFailure: false,
    endOnFailure: false,
  });
  const result: FuzzResult = {
    suite,
    seed: opts.seed,
    cases: details.numRuns + details.numSkips,
    failures: details.failed ? 1 : 0,
    figures: figures?.(),
  };
  if (details.failed) {
    result.path = details.counterexamplePath ?? undefined;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    result.failure = `${fc.stringify(details.counterexample)}\n${error}`;
  }
  return result;
}

/** The property, but once `timeLimitMs` has passed no new case starts (the run ends as interrupted, not
 *  failed). fast-check's own interruptAfterTimeLimit races the running case and abandons it half-way,
 *  while its processes and sockets go on, so a case always runs to its end here. */
function stopStartingAfter<Ts>(property: fc.IAsyncPropertyWithHooks<Ts>, timeLimitMs: number | undefined): fc.IAsyncProperty<Ts> {
  if (timeLimitMs === undefined) return property;
  const deadline = Date.now() + timeLimitMs;
  return {
    isAsync: () => true,
    generate: (mrng, runId) => property.generate(mrng, runId),
    shrink: (value) => property.shrink(value),
    run: async (value) => (Date.now() >= deadline ? new fc.PreconditionFailure(true) : property.run(value)),
    runBeforeEach: () => property.runBeforeEach(),
    runAfterEach: () => property.runAfterEach(),
  };
}

/** One line per result, as `npm run fuzz` and the tests print it. */
export function describeResult(r: FuzzResult): string {
  const figures = Object.entries(r.figures ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const head = `${r.suite}: ${r.cases} cases, ${r.failures} failures, seed ${r.seed}${figures ? `, ${figures}` : ''}`;
  if (!r.failures) return head;
  return `${head}\n  replay: npm run fuzz -- --only ${r.suite} --seed ${r.seed}${r.path ? ` --path ${r.path}` : ''}\n  ${r.failure ?? ''}`;
}
