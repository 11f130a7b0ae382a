/**
 * Execution states. The names are the product's own (DESIGN §2) and are stored and shown verbatim.
 * - `Passive`: created but not spawned, or exited 0.
 * - `Running`: the tracked command is running.
 * - `Execution crushed`: the command failed in a managed way (non-zero exit code or killed by a signal).
 * - `Exec crushed`: the tracker failed (spawn error, internal error, lost contact), outcome unknown.
 */
export const STATES = ['Passive', 'Running', 'Execution crushed', 'Exec crushed'] as const;

/** One of {@link STATES}. */
export type ExecutionState = (typeof STATES)[number];

/** The states that `finish` records for an execution that reached its end. */
export const FINAL_STATES = ['Passive', 'Execution crushed', 'Exec crushed'] as const satisfies readonly ExecutionState[];

/** One of {@link FINAL_STATES}. */
export type FinalState = (typeof FINAL_STATES)[number];
