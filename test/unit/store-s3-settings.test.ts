import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { s3Environment, secretsOf } from '../../src/store/s3-client.js';
import { isTransientS3, s3Failed } from '../../src/store/s3-errors.js';

describe('S3 settings and errors', () => {
  it('reads region, endpoint and credentials from the AWS variables, service-specific endpoint first', () => {
    assert.deepEqual(s3Environment({}), { region: 'us-east-1', endpoint: undefined, credentials: undefined });
    assert.deepEqual(
      s3Environment({
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://general:9000',
        AWS_ENDPOINT_URL_S3: 'http://s3-only:9000',
        AWS_ACCESS_KEY_ID: 'AKIA1',
        AWS_SECRET_ACCESS_KEY: 'secret1',
        AWS_SESSION_TOKEN: 'token1',
      }),
      {
        region: 'eu-west-1',
        endpoint: 'http://s3-only:9000',
        credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token1' },
      },
    );
    assert.equal(s3Environment({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-1' }).region, 'eu-central-1');
    assert.equal(s3Environment({ AWS_ACCESS_KEY_ID: 'AKIA1' }).credentials, undefined, 'a key id alone is no credential');
  });

  it('maps a refused signature to ARCHIVE_S3_ACCESS_DENIED and cuts the secret out of what the server echoed', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'very-secret-value', AWS_SESSION_TOKEN: 'session-token-value' };
    const refused = Object.assign(new Error('signature mismatch; key very-secret-value, token session-token-value'), {
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    const error = s3Failed('s3://b/p', 'b', 'listing files', refused, secretsOf(env));
    assert.equal(error.code, 'ARCHIVE_S3_ACCESS_DENIED');
    assert.equal(error.category, 'connect');
    const shown = JSON.stringify({ message: error.message, cause: String(error.cause) });
    assert.ok(!shown.includes('very-secret-value') && !shown.includes('session-token-value'), shown);
    assert.equal(isTransientS3(refused), false);
  });

  it('retries throttling, server errors and network failures, not client errors', () => {
    assert.equal(isTransientS3(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })), true);
    assert.equal(isTransientS3(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 500 } })), true);
    assert.equal(isTransientS3(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } })), true);
    assert.equal(isTransientS3(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true);
    assert.equal(isTransientS3(Object.assign(new Error('no bucket'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } })), false);
  });
});
