import { describe, expect, it } from 'vitest';
import { connectError, redactedUrl } from '../../src/store/postgres/connection.js';

describe('PostgreSQL connection messages', () => {
  it('hide the password wherever a connection string carries it', () => {
    expect(redactedUrl('postgres://u:secretpw@127.0.0.1:5432/x')).toBe('postgres://u:***@127.0.0.1:5432/x');
    const query = redactedUrl('postgres://u@127.0.0.1:1/x?password=secretpw&sslmode=disable');
    expect(query).not.toContain('secretpw');
    expect(query).toContain('sslmode=disable');
  });

  it('say what PostgreSQL answered (a role or database that does not exist), not only its code', () => {
    // the shape of node-postgres's DatabaseError for a FATAL answer at connect
    const answer = Object.assign(new Error('role "nobody" does not exist'), { severity: 'FATAL', code: '28000' });
    const error = connectError('postgres://nobody:pw@127.0.0.1:5432/x', answer);
    expect(error.message).toContain('role "nobody" does not exist, 28000');
    expect(error.message).toContain('check the user, password and database name');
    expect(error.message).not.toContain(':pw@');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(connectError('postgres://u@127.0.0.1:1/x', refused).message).toContain('(ECONNREFUSED); check --db and that the server accepts connections.');
  });
});
