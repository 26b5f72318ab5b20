// Full-jitter exponential backoff: many clients coming back after an outage spread out instead of stampeding.
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 15_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}
