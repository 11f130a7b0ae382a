/**
 * Limits of the page reads' query strings (docs/api.md), in a module without zod so that the page
 * script (src/web/client/) can import them without bundling the schemas.
 */

/** Longest search text (`GET …/search?q=`), in UTF-16 code units (JavaScript `string.length`). */
export const MAX_SEARCH_QUERY = 1000;

/** Most keys one points request may name (`GET …/points?keys=`). */
export const MAX_POINT_KEYS = 50;
