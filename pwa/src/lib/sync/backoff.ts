/** docs/SYNC.md §4: retry after 1 s, 2 s, 4 s ... capped at 5 min. `attempts` counts failures so far (≥ 1). */
export const MAX_BACKOFF_MS = 5 * 60 * 1000;

export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/** Answers of unknown outcome: the same bytes are sent again later (SYNC.md §3). */
export function isRetryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
