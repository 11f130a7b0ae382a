/**
 * Limits of the points endpoint's query (docs/api.md "Endpoints for pages"), in a module without
 * zod so that the page script (src/web/client/) can import them without bundling the schemas.
 */

/** Most keys one points request may name. */
export const MAX_POINT_KEYS = 50;
