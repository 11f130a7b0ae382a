/** Reason of an `Exec crushed` execution whose wrapper went silent for the timeout (DESIGN §2); a heartbeat reverses it. */
export const LOST_CONTACT = 'lost contact';

/** Reason of an `Exec crushed` execution whose wrapper PID on this host is gone (issue 3 point 3). */
export const TRACKER_DIED = 'tracker died';
