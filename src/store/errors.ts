import { ExecTrackError } from '../errors.js';

/**
 * The error for a database whose schema is newer than this build's, the same sentence on every
 * engine: it might hold rows this build cannot read, so it is refused rather than guessed at.
 */
export function newerSchemaError(found: number, known: number): ExecTrackError {
  return new ExecTrackError(
    'STORE_ERROR',
    `The database was written by a newer exec-track (schema ${found}; this one reads up to ${known}); upgrade exec-track to use it.`,
  );
}

/** The NOT_FOUND error for an execution id (every engine). */
export function executionNotFound(id: string): ExecTrackError {
  return new ExecTrackError('NOT_FOUND', `No execution ${id} in this store; check the id (exec-track report lists them).`);
}

/** The NOT_FOUND error for creating an execution in a session that does not exist. */
export function sessionNotFound(id: string): ExecTrackError {
  return new ExecTrackError('NOT_FOUND', `No session ${id} in this store; create the session first.`);
}
