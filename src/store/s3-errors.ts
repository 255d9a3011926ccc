/**
 * What an S3 failure means for the user: a missing bucket, credentials the
 * server refuses, a server that cannot be reached, a throttled or failing
 * one (transient: retried). Messages never carry the secret key or session
 * token, even when a server echoes them.
 */
import { messageOf } from '../errors.js';
import { ArchiveStoreError } from './errors.js';
import { isNetworkError } from './retry.js';

interface SdkError {
  readonly name?: string;
  readonly Code?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function sdkError(error: unknown): SdkError {
  return typeof error === 'object' && error !== null ? (error as SdkError) : {};
}

export function s3Code(error: unknown): string | undefined {
  const found = sdkError(error);
  return found.Code ?? found.name;
}

export function httpStatus(error: unknown): number | undefined {
  return sdkError(error).$metadata?.httpStatusCode;
}

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const DENIED_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

export function isTransientS3(error: unknown): boolean {
  if (error instanceof ArchiveStoreError) return false;
  if (isNetworkError(error)) return true;
  const status = httpStatus(error);
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  const code = s3Code(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (sdkError(error).$retryable !== undefined) return true;
  return error instanceof Error && /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/.test(error.message);
}

export function isNotFound(error: unknown): boolean {
  const code = s3Code(error);
  return code === 'NoSuchKey' || code === 'NotFound' || (httpStatus(error) === 404 && code !== 'NoSuchBucket');
}

export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

export function s3Failed(display: string, bucket: string, what: string, error: unknown, secrets: readonly string[]): ArchiveStoreError {
  const code = s3Code(error);
  const said = scrub(messageOf(error), secrets);
  const cause = scrubbedCause(error, said);
  if (code === 'NoSuchBucket') {
    return new ArchiveStoreError('ARCHIVE_S3_BUCKET_MISSING', `The bucket of the S3 archive ${display} does not exist.`, {
      category: 'usage',
      cause,
      nextStep: `Create the bucket (aws s3 mb s3://${bucket}), or check the bucket name and AWS_ENDPOINT_URL_S3 / AWS_REGION.`,
    });
  }
  if ((code !== undefined && DENIED_CODES.has(code)) || httpStatus(error) === 403) {
    return new ArchiveStoreError(
      'ARCHIVE_S3_ACCESS_DENIED',
      `The S3 server refused access to ${display} while ${what} (${code ?? 'HTTP 403'}: ${said}).`,
      {
        category: 'connect',
        cause,
        nextStep:
          'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), and that they may list, read and write the bucket.',
      },
    );
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(said)) {
    return new ArchiveStoreError('ARCHIVE_S3_NO_CREDENTIALS', `No AWS credentials to open the S3 archive ${display}.`, {
      category: 'usage',
      cause,
      nextStep: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or run where an instance role applies).',
    });
  }
  if (isTransientS3(error)) {
    return new ArchiveStoreError('ARCHIVE_S3_UNREACHABLE', `The S3 archive ${display} cannot be reached while ${what}: ${said}.`, {
      category: 'connect',
      cause,
      nextStep:
        'Check that the S3 endpoint is up and reachable (AWS_ENDPOINT_URL_S3 for a non-AWS server); the run can be started again: nothing was acknowledged past the last stored file.',
    });
  }
  return new ArchiveStoreError('ARCHIVE_S3_FAILED', `The S3 archive ${display}: ${what} failed (${code ?? 'error'}: ${said}).`, {
    category: 'failure',
    cause,
    nextStep: 'Check the bucket and the permissions of these credentials; the run can be started again.',
  });
}

/** The SDK's error keeps the request in its fields; the cause kept is a plain error with the scrubbed text and the code. */
function scrubbedCause(error: unknown, said: string): Error {
  const plain = new Error(said);
  plain.name = s3Code(error) ?? 'Error';
  return plain;
}
