/**
 * The SCRAM-SHA-256 verifier of a password, as psql's \password computes it.
 * CREATE ROLE ... PASSWORD is then sent the verifier, never the password, so
 * the password cannot end up in the server's log (log_statement = 'ddl' is
 * common on production) or in pg_stat_activity.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';

const ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // The server normalizes with SASLprep and clients differ in how they do it
  // for other characters; printable ASCII is the same for every client.
  if (!/^[\x20-\x7e]+$/.test(password)) {
    throw new UsageError(
      'REPLICATION_PASSWORD_INVALID',
      'PGTWIN_REPLICATION_PASSWORD must be printable ASCII characters (and not empty).',
      {
        nextStep: 'Choose a password of letters, digits and ASCII punctuation (the value is not shown).',
      },
    );
  }
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
