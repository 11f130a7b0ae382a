/**
 * Milliseconds since epoch UTC. One clock is injected into everything that stamps or compares
 * times (store, server, API client), so tests move time in one place and never depend on today's
 * date (issue 9 point 1).
 */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();
