import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverLayout } from '../../src/local/server-dir.js';
import { isRoot, serverUser } from '../../src/local/server-user.js';
import { prepareSharedDir } from '../../src/local/shared-dir.js';

test(
  'as root, a cluster link whose directory is gone is replaced by a new server directory',
  { skip: isRoot() ? false : 'server directories in the shared directory exist only when run as root' },
  async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'pgtwin-server-dir-'));
    try {
      await chmod(scratch, 0o711); // the server user walks through it to the shared directory
      const user = await serverUser();
      assert.ok(user);
      const shared = join(scratch, 'shared');
      await prepareSharedDir(shared, user);
      const root = join(scratch, 'data');
      await mkdir(root);
      const first = await serverLayout(root, user, shared, { ownedByProcess: true });
      await rm(first.serverDir, { recursive: true });
      const second = await serverLayout(root, user, shared, { ownedByProcess: true });
      assert.notEqual(second.serverDir, first.serverDir);
      assert.ok((await stat(second.serverDir)).isDirectory());
      assert.equal(await readlink(join(root, 'cluster')), second.serverDir);
      // A link that still points somewhere real is kept.
      const third = await serverLayout(root, user, shared, { ownedByProcess: true });
      assert.equal(third.serverDir, second.serverDir);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
);
