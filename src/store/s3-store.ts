/**
 * An archive under a prefix of an S3 bucket (AWS or S3-compatible). S3 puts
 * are atomic, so no temporary names: a file is either there whole or not.
 * A put streams the spool file (one request up to 8 MiB, with Content-MD5
 * so the server checks the body; multipart beyond, with bounded memory), records the SHA-256 as object metadata, then reads the object's
 * size and metadata back: a mismatch is an error, never a success.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ArchiveStoreError, fileMissing } from './errors.js';
import { checkStoredName, isTempName, sortByName } from './names.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { createS3Client, s3Environment, secretsOf } from './s3-client.js';
import { isNotFound, isTransientS3, s3Failed } from './s3-errors.js';
import type { ArchiveStore, SpoolFile, StoredFile } from './store.js';

/** Files up to this size go in one PutObject; larger ones in parts of at least this size. */
const SINGLE_PUT_LIMIT = 8 * 1024 * 1024;
/** Parts uploaded at once: memory is about this many parts. */
const PARTS_IN_FLIGHT = 2;
/** S3 allows 10,000 parts; parts grow for huge files to stay below. */
const MAX_PARTS = 9_000;

export interface S3StoreConfig {
  readonly bucket: string;
  /** Key prefix without slashes at either end ('' for the bucket's root). */
  readonly prefix: string;
  readonly display: string;
  readonly env: NodeJS.ProcessEnv;
  readonly retry: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Keys per list request (S3's maximum, 1000, by default). */
  readonly listPageSize?: number;
}

export async function openS3Store(config: S3StoreConfig): Promise<S3Store> {
  const client = createS3Client(s3Environment(config.env));
  const store = new S3Store(client, config);
  try {
    await store.check();
  } catch (error) {
    client.destroy();
    throw error;
  }
  return store;
}

export class S3Store implements ArchiveStore {
  readonly display: string;
  private readonly keyPrefix: string;
  private readonly secrets: string[];

  constructor(
    private readonly client: S3Client,
    private readonly config: S3StoreConfig,
  ) {
    this.display = config.display;
    this.keyPrefix = config.prefix === '' ? '' : `${config.prefix}/`;
    this.secrets = secretsOf(config.env);
  }

  private key(name: string): string {
    return this.keyPrefix + checkStoredName(name);
  }

  private async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(operation, isTransientS3, this.config.retry, this.config.signal);
    } catch (error) {
      if (error instanceof ArchiveStoreError || (error instanceof Error && error.name === 'AbortError')) throw error;
      throw s3Failed(this.display, this.config.bucket, what, error, this.secrets);
    }
  }

  /** The bucket is there and these credentials may list it. */
  async check(): Promise<void> {
    await this.run('opening the archive', () =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.keyPrefix, MaxKeys: 1 })),
    );
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.run('listing files', () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: this.keyPrefix + prefix,
            MaxKeys: this.config.listPageSize ?? 1000,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.keyPrefix.length);
        // Keys ending in '/' are folder markers that consoles create, not files.
        if (name === undefined || name === '' || name.endsWith('/') || isTempName(name)) continue;
        files.push({ name, size: object.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return sortByName(files);
  }

  async read(name: string): Promise<Readable> {
    const key = this.key(name);
    const response = await this.run(`reading ${name}`, async () => {
      try {
        return await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      } catch (error) {
        if (isNotFound(error)) throw fileMissing(this.display, name, error);
        throw error;
      }
    });
    const body = response.Body as Readable | undefined;
    if (body === undefined) throw fileMissing(this.display, name);
    // The SDK's stream fails with the raw network error; the reader sees the store's.
    const out = new PassThrough();
    body.on('error', (error) => out.destroy(s3Failed(this.display, this.config.bucket, `reading ${name}`, error, this.secrets)));
    out.on('close', () => body.destroy());
    body.pipe(out);
    return out;
  }

  async exists(name: string): Promise<boolean> {
    const key = this.key(name);
    return this.run(`looking for ${name}`, async () => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    });
  }

  async put(name: string, file: SpoolFile): Promise<void> {
    const key = this.key(name);
    await this.run(`putting ${name}`, async () => {
      if (file.size <= SINGLE_PUT_LIMIT) await this.putWhole(key, file);
      else await this.putInParts(key, file);
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }));
      const sha256 = head.Metadata?.['sha256'];
      if (head.ContentLength !== file.size || sha256 !== file.sha256) {
        throw new ArchiveStoreError(
          'ARCHIVE_PUT_MISMATCH',
          `${name} was stored in ${this.display} as ${head.ContentLength ?? '?'} bytes with SHA-256 ${sha256 ?? '(none)'}, not ${file.size} bytes with ${file.sha256}.`,
          {
            nextStep:
              'The S3 server does not store what was sent: for an S3-compatible server, check that it supports plain (unchunked) uploads and user metadata. Nothing was acknowledged past this file.',
          },
        );
      }
    });
  }

  /** One PutObject streamed from the spool file; its MD5 goes first, so the server checks the body it got. */
  private async putWhole(key: string, file: SpoolFile): Promise<void> {
    const md5 = createHash('md5');
    await pipeline(createReadStream(file.path), md5);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: key,
        Body: createReadStream(file.path),
        ContentLength: file.size,
        ContentType: 'application/octet-stream',
        ContentMD5: md5.digest('base64'),
        Metadata: { sha256: file.sha256 },
      }),
    );
  }

  private async putInParts(key: string, file: SpoolFile): Promise<void> {
    const partSize = Math.max(SINGLE_PUT_LIMIT, Math.ceil(file.size / MAX_PARTS));
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.config.bucket,
        Key: key,
        Body: createReadStream(file.path, { highWaterMark: 1024 * 1024 }),
        ContentType: 'application/octet-stream',
        Metadata: { sha256: file.sha256 },
      },
      partSize,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async remove(name: string): Promise<void> {
    const key = this.key(name);
    await this.run(`removing ${name}`, async () => {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
