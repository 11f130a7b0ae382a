/**
 * Limits of the follow sockets' URLs (docs/api.md), in a module without zod so that the page
 * script (src/web/client/) can import them without bundling the schemas.
 */

/** Most ids `open` may name on the session follow socket (a follower with more asks for the whole list). */
export const MAX_OPEN_IDS = 200;
