/**
 * `npm run soak` sets EXEC_TRACK_SOAK=1: the tests that check a property at volume (every line kept,
 * memory bounded, nothing lost across restarts) then run it at the full size; `npm test` runs
 * the same checks at a smaller size so the whole suite stays within its time budget (issue 10 point 7).
 */
export const SOAK = process.env.EXEC_TRACK_SOAK === '1';

/** `normal` under `npm test`, `full` under `npm run soak`. */
export function soakSize(normal: number, full: number): number {
  return SOAK ? full : normal;
}
