import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { openStore, type ArchiveStore, type OpenStoreOptions, type SpoolFile } from '../../src/store/index.js';
import { PgtwinError } from '../../src/errors.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const BUCKET = 'twin-archive';
const FAST_RETRY = { attempts: 2, firstDelayMs: 10, maxDelayMs: 20 };

let base: string;
let server: S3TestServer;
let spoolCount = 0;

async function spool(content: Buffer | string): Promise<SpoolFile> {
  const bytes = Buffer.from(content);
  const path = join(base, `spool-${spoolCount++}`);
  await writeFile(path, bytes);
  return { path, size: bytes.length, sha256: sha256(bytes) };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function options(extra: Partial<OpenStoreOptions> = {}): OpenStoreOptions {
  return { env: server.env, retry: FAST_RETRY, ...extra };
}

async function readAll(store: ArchiveStore, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(name)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<PgtwinError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PgtwinError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A proxy in front of the S3 server that reports every object as 44 bytes longer than stored, as a broken server might. */
async function startLyingProxy(target: string): Promise<{ endpoint: string; server: Server }> {
  const upstream = new URL(target);
  const proxy = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        const headers = { ...response.headers };
        if (incoming.method === 'HEAD' && headers['content-length'] !== undefined)
          headers['content-length'] = String(Number(headers['content-length']) + 44);
        outgoing.writeHead(response.statusCode ?? 500, headers);
        response.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, server: proxy };
}

describe('S3 store', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-store-s3-'));
    server = await startS3Server([BUCKET]);
  });
  after(async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('puts (one request and multipart), lists, reads, replaces and removes, sizes and checksums confirmed', async () => {
    const store = await openStore(`s3://${BUCKET}/shop`, options());
    try {
      assert.equal(store.display, `s3://${BUCKET}/shop`);
      const big = randomBytes(19 * 1024 * 1024 + 5);
      await store.put('bases/0001/public.orders.copy.gz', await spool(big));
      await store.put('changes/0000000001.jsonl.gz', await spool('first'));
      await store.put('manifest.json', await spool('{}'));
      await store.put('manifest.json', await spool('{"v":2}'));
      assert.deepEqual(await store.list(''), [
        { name: 'bases/0001/public.orders.copy.gz', size: big.length },
        { name: 'changes/0000000001.jsonl.gz', size: 5 },
        { name: 'manifest.json', size: 7 },
      ]);
      assert.equal(sha256(await readAll(store, 'bases/0001/public.orders.copy.gz')), sha256(big));
      assert.equal((await readAll(store, 'manifest.json')).toString(), '{"v":2}');
      assert.equal(await store.exists('manifest.json'), true);
      await store.remove('manifest.json');
      await store.remove('manifest.json');
      assert.equal(await store.exists('manifest.json'), false);
      await rejectsWith(store.read('manifest.json'), 'ARCHIVE_FILE_MISSING');
      await rejectsWith(store.put('a/../b', await spool('x')), 'ARCHIVE_NAME_INVALID');

      const neighbour = await openStore(`s3://${BUCKET}/shop2`, options());
      await neighbour.put('manifest.json', await spool('other archive'));
      assert.deepEqual(
        (await store.list('')).map((file) => file.name),
        ['bases/0001/public.orders.copy.gz', 'changes/0000000001.jsonl.gz'],
        'the prefix is a directory: shop does not see shop2',
      );
      await neighbour.close();
    } finally {
      await store.close();
    }
  });

  it('stores a 5,000-byte body as exactly 5,000 bytes', async () => {
    const store = await openStore(`s3://${BUCKET}/exact`, options());
    const body = randomBytes(5000);
    await store.put('five-thousand', await spool(body));
    assert.deepEqual(await store.list(''), [{ name: 'five-thousand', size: 5000 }]);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.env['AWS_ACCESS_KEY_ID'] ?? '', secretAccessKey: server.env['AWS_SECRET_ACCESS_KEY'] ?? '' },
    });
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'exact/five-thousand' }));
    client.destroy();
    assert.equal(head.ContentLength, 5000);
    assert.equal(head.Metadata?.['sha256'], sha256(body));
    assert.ok((await readAll(store, 'five-thousand')).equals(body));
    await store.close();
  });

  it('lists every page of a prefix, in byte order', async () => {
    const store = await openStore(`s3://${BUCKET}/paged`, options({ s3: { listPageSize: 7 } }));
    const names = Array.from({ length: 25 }, (_, i) => `changes/${String(i).padStart(10, '0')}.jsonl.gz`);
    const file = await spool('x');
    for (const name of [...names].reverse()) await store.put(name, file);
    await store.put('changesets/not-this', file);
    await store.put('manifest.json', file);
    assert.deepEqual(
      (await store.list('changes/')).map((found) => found.name),
      names,
    );
    assert.equal((await store.list('')).length, 27);
    await store.close();
  });

  it('refuses to call a put done when the server reports another size', async () => {
    const proxy = await startLyingProxy(server.endpoint);
    try {
      const store = await openStore(`s3://${BUCKET}/lying`, options({ env: { ...server.env, AWS_ENDPOINT_URL_S3: proxy.endpoint } }));
      const error = await rejectsWith(store.put('f', await spool(randomBytes(5000))), 'ARCHIVE_PUT_MISMATCH');
      assert.match(error.message, /5044 bytes/);
      await store.close();
    } finally {
      proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });

  it('reports a missing bucket', async () => {
    const error = await rejectsWith(openStore('s3://no-such-bucket/x', options()), 'ARCHIVE_S3_BUCKET_MISSING');
    assert.match(error.nextStep ?? '', /aws s3 mb s3:\/\/no-such-bucket/);
  });

  it('reports refused credentials without the secret', async () => {
    // s3rver checks the access key id but not SigV4 signatures, so an unknown key id is the refusal it can show.
    const secret = 'wrong-secret-a8f3kq29';
    const error = await rejectsWith(
      openStore(`s3://${BUCKET}/x`, options({ env: { ...server.env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AWS_SECRET_ACCESS_KEY: secret } })),
      'ARCHIVE_S3_ACCESS_DENIED',
    );
    assert.equal(error.category, 'connect');
    assert.match(error.message, /InvalidAccessKeyId/);
    const shown = JSON.stringify({ message: error.message, nextStep: error.nextStep, details: error.details, cause: String(error.cause) });
    assert.ok(!shown.includes(secret), shown);
  });

  it('fails with a clear connect error when the server is gone', async () => {
    const doomed = await startS3Server([BUCKET]);
    const store = await openStore(`s3://${BUCKET}/a`, { env: doomed.env, retry: FAST_RETRY });
    await store.put('one', await spool('1'));
    await doomed.stop();
    const error = await rejectsWith(store.put('two', await spool('2')), 'ARCHIVE_S3_UNREACHABLE');
    assert.equal(error.category, 'connect');
    await rejectsWith(store.list(''), 'ARCHIVE_S3_UNREACHABLE');
    await store.close();
  });
});
