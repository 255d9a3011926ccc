/**
 * One SSH connection with its SFTP channel. ssh2 leaves a request made on a
 * dead channel waiting forever, so every call goes through `call`, which
 * fails at once (with SftpSessionLost, a transient error the store retries
 * on a new session) when the connection is gone or goes while it waits.
 */
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { SFTPWrapper } from 'ssh2';
import { algorithmsFor, checkHostKey, knownKeyTypes, parseKnownHosts, type HostKeyVerdict, type KnownHostLine } from './known-hosts.js';
import type { LoginMethods } from './ssh-keys.js';
import { authFailed, hostKeyRefused } from './sftp-errors.js';

export interface SftpServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export interface KnownHostsFile {
  readonly path: string;
  /** As the user would type it (~/.ssh/known_hosts), for messages. */
  readonly shown: string;
}

/** The connection is gone: the call may succeed on a new one. */
export class SftpSessionLost extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SftpSessionLost';
  }
}

export class SftpSession {
  private lost: Error | undefined;
  private readonly waiting = new Set<(error: Error) => void>();

  private constructor(
    private readonly client: ssh2.Client,
    readonly sftp: SFTPWrapper,
  ) {
    const fail = (error: Error): void => {
      this.lost ??= error;
      for (const reject of this.waiting) reject(this.lost);
      this.waiting.clear();
    };
    client.on('error', (error) => fail(new SftpSessionLost(`the SSH connection failed: ${error.message}`, { cause: error })));
    client.on('close', () => fail(new SftpSessionLost('the SSH connection was closed')));
    sftp.on('close', () => fail(new SftpSessionLost('the SFTP channel was closed')));
  }

  get alive(): boolean {
    return this.lost === undefined;
  }

  /** Runs one ssh2 SFTP request; rejects when it fails or the connection goes first. */
  call<T>(request: (sftp: SFTPWrapper, done: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.lost !== undefined) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onLost = (error: Error): void => {
        if (!settled) reject(error);
        settled = true;
      };
      this.waiting.add(onLost);
      const done = (error: Error | null | undefined, value: T): void => {
        this.waiting.delete(onLost);
        if (settled) return;
        settled = true;
        if (error !== null && error !== undefined) reject(error);
        else resolve(value);
      };
      try {
        request(this.sftp, done);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)), undefined as T);
      }
    });
  }

  /** Whether the server announced this SFTP extension (posix-rename@openssh.com, fsync@openssh.com). */
  supports(extension: string): boolean {
    const extensions = (this.sftp as unknown as { _extensions?: Record<string, string> })._extensions;
    return extensions?.[extension] === '1';
  }

  close(): void {
    this.lost ??= new SftpSessionLost('the SFTP session was closed');
    this.client.end();
  }

  static async open(server: SftpServer, login: LoginMethods, knownHosts: KnownHostsFile): Promise<SftpSession> {
    const lines = await readKnownHosts(knownHosts.path);
    const preferred = algorithmsFor(knownKeyTypes(lines, server.host, server.port));
    let verdict: { verdict: HostKeyVerdict; key: Buffer } | undefined;
    const client = new ssh2.Client();
    return new Promise<SftpSession>((resolve, reject) => {
      let settled = false;
      const onError = (error: Error & { level?: string }): void => {
        if (settled) return;
        settled = true;
        client.removeListener('ready', onReady);
        client.end();
        if (verdict !== undefined && verdict.verdict !== 'known') reject(hostKeyRefused(server, knownHosts, verdict.verdict, verdict.key));
        else if (error.level === 'client-authentication') reject(authFailed(server, login, error));
        else reject(error);
      };
      const onReady = (): void => {
        client.sftp((error, sftp) => {
          if (settled) return;
          settled = true;
          if (error !== undefined && error !== null) {
            client.end();
            reject(new SftpSessionLost(`the server refused the SFTP subsystem: ${error.message}`, { cause: error }));
            return;
          }
          // The session's own listeners take over; onError stays only while nothing else listens.
          const session = new SftpSession(client, sftp);
          client.removeListener('error', onError);
          client.removeListener('close', onClose);
          resolve(session);
        });
      };
      // A server that closes the connection before the login ends emits no error: without this the promise would wait forever.
      const onClose = (): void => onError(new SftpSessionLost('the server closed the connection before the login completed'));
      client.once('ready', onReady);
      // 'on', not 'once': a second error after the first must not go unhandled (it would end the process).
      client.on('error', onError);
      client.once('close', onClose);
      client.connect({
        host: server.host,
        port: server.port,
        username: server.user,
        authHandler: [...login.methods],
        readyTimeout: 20_000,
        keepaliveInterval: 15_000,
        ...(preferred.length > 0 ? { algorithms: { serverHostKey: hostKeyPreference(preferred) } } : {}),
        hostVerifier: (key: Buffer) => {
          verdict = { verdict: checkHostKey(lines, server.host, server.port, key), key };
          return verdict.verdict === 'known';
        },
      });
    });
  }
}

/** The known key types first, so the server presents the key known_hosts holds (as ssh does). */
function hostKeyPreference(preferred: string[]): ssh2.AlgorithmList<ssh2.ServerHostKeyAlgorithm> {
  const names = preferred as ssh2.ServerHostKeyAlgorithm[];
  // ssh2 applies these in key order: remove the known types, then put them in front.
  return { append: [], remove: names, prepend: names };
}

async function readKnownHosts(path: string): Promise<KnownHostLine[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
}
