/**
 * The S3 client of an archive, configured from the standard AWS environment:
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (else the
 * SDK's own chain: profiles, SSO, instance roles), AWS_REGION or
 * AWS_DEFAULT_REGION, and AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for an
 * S3-compatible server, which is then addressed path-style (bucket in the
 * path), as MinIO, Ceph and most others expect.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3Environment {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export function s3Environment(env: NodeJS.ProcessEnv): S3Environment {
  const value = (name: string): string | undefined => {
    const found = env[name];
    return found === undefined || found === '' ? undefined : found;
  };
  const accessKeyId = value('AWS_ACCESS_KEY_ID');
  const secretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  const sessionToken = value('AWS_SESSION_TOKEN');
  return {
    region: value('AWS_REGION') ?? value('AWS_DEFAULT_REGION') ?? 'us-east-1',
    endpoint: value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL'),
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
        : undefined,
  };
}

export function createS3Client(settings: S3Environment): S3Client {
  const config: S3ClientConfig = {
    region: settings.region,
    // The store retries whole operations itself (re-reading the spool file), so the SDK tries once.
    maxAttempts: 1,
    // With the SDK's default streaming checksums, an S3-compatible server stored a 5,000-byte
    // body as 5,044 bytes (the aws-chunked framing kept as data): send plain bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (settings.endpoint !== undefined) {
    config.endpoint = settings.endpoint;
    config.forcePathStyle = true;
  }
  if (settings.credentials !== undefined) config.credentials = settings.credentials;
  return new S3Client(config);
}

/** Secrets of this environment, to be cut out of any message that might echo them. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((name) => env[name] ?? '').filter((secret) => secret.length >= 4);
}
