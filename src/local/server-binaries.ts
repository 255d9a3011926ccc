/**
 * The binaries a server is run from: where npm put them for a normal user; as
 * root, their copy in pgtwin's shared directory, which the server user can
 * reach wherever the clone is (binary-copy.ts). Made once per process.
 */
import { copiedBinaries } from './binary-copy.js';
import { DEFAULT_BINARIES_PACKAGE, findBinaries, type PostgresBinaries } from './binaries.js';
import { prepareSharedDir } from './shared-dir.js';
import type { ServerUser } from './server-user.js';

const copies = new Map<string, Promise<PostgresBinaries>>();

/** `shared` is pgtwin's shared directory, given exactly when the server runs as `user` (pgtwin is root). */
export async function serverBinaries(
  user: ServerUser | undefined,
  shared: string | undefined,
  from: string = DEFAULT_BINARIES_PACKAGE,
): Promise<PostgresBinaries> {
  const bins = await findBinaries(from);
  if (user === undefined || shared === undefined) return bins;
  const key = `${shared}\0${from}`;
  let copy = copies.get(key);
  if (copy === undefined) {
    copy = (async () => {
      await prepareSharedDir(shared, user);
      return copiedBinaries(bins, shared, user);
    })().catch((error: unknown) => {
      copies.delete(key);
      throw error;
    });
    copies.set(key, copy);
  }
  return copy;
}
