/**
 * A minimal ssh-agent for the SFTP store tests (ssh2's AgentProtocol in
 * server mode on a UNIX socket): it lists the keys it holds and signs with
 * them, which is all an SSH login asks of an agent.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import type { TestKeyPair } from './sftp-server.js';

export interface TestAgent {
  /** The value for SSH_AUTH_SOCK. */
  readonly socket: string;
  stop(): Promise<void>;
}

export async function startTestAgent(dir: string, keys: readonly TestKeyPair[]): Promise<TestAgent> {
  const parsed = keys.map((key) => {
    const found = ssh2.utils.parseKey(key.privateKey);
    if (found instanceof Error) throw found;
    return found;
  });
  const server = createServer((socket) => {
    const protocol = new ssh2.AgentProtocol(false);
    protocol.on('identities', (request: unknown) => protocol.getIdentitiesReply(request as never, parsed));
    protocol.on('sign', (request: unknown, publicKey: ParsedKey, data: Buffer, options: { hash?: string }) => {
      const key = parsed.find((candidate) => candidate.getPublicSSH().equals(publicKey.getPublicSSH()));
      const signature = key?.sign(data, options.hash);
      if (key === undefined || signature === undefined || signature instanceof Error) protocol.failureReply(request as never);
      else protocol.signReply(request as never, signature);
    });
    socket.on('error', () => undefined);
    socket.pipe(protocol).pipe(socket);
  });
  const socket = join(dir, `agent-${process.pid}-${Date.now()}.sock`);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
