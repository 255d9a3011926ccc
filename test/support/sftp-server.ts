/**
 * A real SFTP server for the store tests, in-process (ssh2's Server), serving
 * a temporary directory as its whole file system on 127.0.0.1 at a random
 * port. Public-key login for one user with one generated key; a generated
 * host key. It speaks the SFTP requests the store uses, and announces
 * posix-rename@openssh.com and fsync@openssh.com unless told not to, so both
 * paths of the store's put are tested.
 */
import { mkdtemp, mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, Connection, SFTPWrapper } from 'ssh2';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

export interface TestKeyPair {
  /** OpenSSH private key file contents. */
  readonly privateKey: string;
  /** The public key blob. */
  readonly publicBlob: Buffer;
}

export function generateTestKey(): TestKeyPair {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  const parsed = ssh2.utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  return { privateKey: pair.private, publicBlob: parsed.getPublicSSH() };
}

export interface SftpTestServer {
  readonly port: number;
  /** The directory served as '/'. */
  readonly root: string;
  readonly user: string;
  /** The host key line for a known_hosts file. */
  knownHostsLine(): string;
  readonly hostKey: TestKeyPair;
  /** Ends every client connection now (the server keeps listening). */
  dropConnections(): void;
  /** Stops listening and ends every connection. */
  stop(): Promise<void>;
}

export interface SftpTestServerOptions {
  readonly user: string;
  /** The key the user logs in with. */
  readonly clientKey: TestKeyPair;
  /** Announce posix-rename@openssh.com and fsync@openssh.com (default true). */
  readonly extensions?: boolean;
}

export async function startSftpServer(options: SftpTestServerOptions): Promise<SftpTestServer> {
  const root = await mkdtemp(join(tmpdir(), 'pgtwin-sftp-root-'));
  const hostKey = generateTestKey();
  const connections = new Set<Connection>();
  const server = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      if (context.method !== 'publickey' || context.username !== options.user || !context.key.data.equals(options.clientKey.publicBlob)) {
        context.reject(['publickey']);
        return;
      }
      if (context.signature === undefined) {
        context.accept();
        return;
      }
      const key = ssh2.utils.parseKey(options.clientKey.publicBlob);
      if (key instanceof Error || context.blob === undefined) return context.reject(['publickey']);
      if (key.verify(context.blob, context.signature, context.hashAlgo) === true) context.accept();
      else context.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          if (options.extensions !== false) announceExtensions(sftp);
          serve(sftp, root);
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dropConnections = (): void => {
    for (const client of connections) client.end();
  };
  return {
    port,
    root,
    user: options.user,
    hostKey,
    knownHostsLine: () => `[127.0.0.1]:${port} ssh-ed25519 ${hostKey.publicBlob.toString('base64')}`,
    dropConnections,
    stop: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * ssh2's server answers INIT with a VERSION that lists no extensions; this
 * replaces that one packet with a VERSION announcing the two the store uses.
 */
function announceExtensions(sftp: SFTPWrapper): void {
  const protocol = (sftp as unknown as { _protocol: { channelData(id: number, data: Buffer): void } })._protocol;
  const original = protocol.channelData.bind(protocol);
  const plain = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3]);
  const extensions = ['posix-rename@openssh.com', 'fsync@openssh.com'].map((name) =>
    Buffer.concat([sshString(Buffer.from(name)), sshString(Buffer.from('1'))]),
  );
  const body = Buffer.concat([Buffer.from([2, 0, 0, 0, 3]), ...extensions]);
  const version = Buffer.concat([uint32(body.length), body]);
  protocol.channelData = (id, data) => original(id, data.equals(plain) ? version : data);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function sshString(data: Buffer): Buffer {
  return Buffer.concat([uint32(data.length), data]);
}

function readSshStrings(data: Buffer): Buffer[] {
  const strings: Buffer[] = [];
  for (let at = 0; at + 4 <= data.length;) {
    const length = data.readUInt32BE(at);
    strings.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return strings;
}

function attributesOf(stats: Stats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

type Open = { kind: 'file'; file: FileHandle } | { kind: 'dir'; path: string; sent: boolean };

function serve(sftp: SFTPWrapper, root: string): void {
  const handles = new Map<number, Open>();
  let nextHandle = 1;
  const local = (path: string): string => join(root, posix.normalize('/' + path));
  const newHandle = (value: Open): Buffer => {
    const id = nextHandle++;
    handles.set(id, value);
    return uint32(id);
  };
  const handleOf = (buffer: Buffer): Open | undefined => (buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined);
  const fail = (reqId: number, error: unknown): void => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    sftp.status(
      reqId,
      code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : code === 'EACCES' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE,
      String(error),
    );
  };
  const ok = (reqId: number): void => {
    sftp.status(reqId, STATUS_CODE.OK);
  };
  sftp.on('close', () => {
    for (const open of handles.values()) if (open.kind === 'file') void open.file.close().catch(() => undefined);
    handles.clear();
  });
  const answer = (reqId: number, work: () => Promise<void>): void => {
    work().catch((error: unknown) => fail(reqId, error));
  };

  sftp.on('REALPATH', (reqId, path) => {
    const absolute = posix.normalize('/' + path);
    sftp.name(reqId, [{ filename: absolute, longname: absolute, attrs: {} as Attributes }]);
  });
  sftp.on('OPEN', (reqId, filename, flags) =>
    answer(reqId, async () => {
      const writing = (flags & OPEN_MODE.WRITE) !== 0;
      const mode = writing ? ((flags & OPEN_MODE.TRUNC) !== 0 ? 'w' : 'r+') : 'r';
      sftp.handle(reqId, newHandle({ kind: 'file', file: await open(local(filename), mode) }));
    }),
  );
  sftp.on('WRITE', (reqId, handle, offset, data) =>
    answer(reqId, async () => {
      const found = handleOf(handle);
      if (found?.kind !== 'file') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      await found.file.write(data, 0, data.length, offset);
      ok(reqId);
    }),
  );
  sftp.on('READ', (reqId, handle, offset, length) =>
    answer(reqId, async () => {
      const found = handleOf(handle);
      if (found?.kind !== 'file') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await found.file.read(buffer, 0, length, offset);
      if (bytesRead === 0) sftp.status(reqId, STATUS_CODE.EOF);
      else sftp.data(reqId, buffer.subarray(0, bytesRead));
    }),
  );
  sftp.on('FSTAT', (reqId, handle) =>
    answer(reqId, async () => {
      const found = handleOf(handle);
      if (found?.kind !== 'file') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      sftp.attrs(reqId, attributesOf(await found.file.stat()));
    }),
  );
  sftp.on('CLOSE', (reqId, handle) =>
    answer(reqId, async () => {
      const found = handleOf(handle);
      if (found === undefined) return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      handles.delete(handle.readUInt32BE(0));
      if (found.kind === 'file') await found.file.close();
      ok(reqId);
    }),
  );
  const statPath = (reqId: number, path: string): void =>
    answer(reqId, async () => sftp.attrs(reqId, attributesOf(await stat(local(path)))));
  sftp.on('STAT', statPath);
  sftp.on('LSTAT', statPath);
  sftp.on('OPENDIR', (reqId, path) =>
    answer(reqId, async () => {
      if (!(await stat(local(path))).isDirectory()) return void sftp.status(reqId, STATUS_CODE.FAILURE, 'not a directory');
      sftp.handle(reqId, newHandle({ kind: 'dir', path: local(path), sent: false }));
    }),
  );
  sftp.on('READDIR', (reqId, handle) =>
    answer(reqId, async () => {
      const found = handleOf(handle);
      if (found?.kind !== 'dir') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      if (found.sent) return void sftp.status(reqId, STATUS_CODE.EOF);
      found.sent = true;
      const names = await readdir(found.path);
      const entries = await Promise.all(
        names.map(async (name) => ({ filename: name, longname: name, attrs: attributesOf(await stat(join(found.path, name))) })),
      );
      if (entries.length === 0) sftp.status(reqId, STATUS_CODE.EOF);
      else sftp.name(reqId, entries);
    }),
  );
  sftp.on('MKDIR', (reqId, path) => answer(reqId, async () => (await mkdir(local(path)), ok(reqId))));
  sftp.on('REMOVE', (reqId, path) => answer(reqId, async () => (await unlink(local(path)), ok(reqId))));
  sftp.on('RENAME', (reqId, from, to) =>
    answer(reqId, async () => {
      // SFTP v3 (and OpenSSH's plain rename) refuses to replace a file.
      const exists = await stat(local(to)).then(
        () => true,
        () => false,
      );
      if (exists) return void sftp.status(reqId, STATUS_CODE.FAILURE, 'target exists');
      await rename(local(from), local(to));
      ok(reqId);
    }),
  );
  sftp.on('EXTENDED', (reqId, name, data) =>
    answer(reqId, async () => {
      const [first, second] = readSshStrings(data);
      if (name === 'posix-rename@openssh.com' && first !== undefined && second !== undefined) {
        await rename(local(first.toString()), local(second.toString()));
        return ok(reqId);
      }
      const found = first === undefined ? undefined : handleOf(first);
      if (name === 'fsync@openssh.com' && found?.kind === 'file') {
        await found.file.sync();
        return ok(reqId);
      }
      sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED);
    }),
  );
}
