import { ExecTrackError } from '../../errors.js';

/**
 * The resend rule of a create whose id the client may mint (docs/api.md: sessions and executions),
 * so a client that lost the answer can send the same create again.
 * @param thing what is created, for the message.
 * @param stored what the store holds under the id the client sent (undefined for none or no id).
 * @param own whether `stored` is the caller's own.
 * @returns true when `stored` is the caller's own (the route answers it with 200); false when
 * nothing is stored under the id (the route creates).
 * @throws ExecTrackError `CONFLICT` (409) when the id is someone else's.
 */
export function isOwnResend<T>(thing: 'session' | 'execution', stored: T | undefined, own: boolean): stored is T {
  if (stored && !own) throw new ExecTrackError('CONFLICT', `That ${thing} id is already taken; omit the id to get a fresh one.`);
  return stored !== undefined;
}
