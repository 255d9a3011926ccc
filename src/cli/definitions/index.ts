/** Every command's definition, in the order the main help and docs/cli.md list them. */
import type { CommandDef } from '../definition.js';
import { CAPTURE } from './capture.js';
import { APPLY, ARCHIVE } from './archive.js';
import { DEMO } from './demo.js';
import { FOLLOW, SETUP_SOURCE, STATUS, STOP, TEARDOWN } from './follow.js';
import { LOCAL } from './local.js';
import { DIFF, SCHEMA } from './schema.js';
import { INIT, KEYGEN, SCAN } from './setup.js';
import { PLAN, SYNC } from './sync.js';
import { VERIFY } from './verify.js';

export {
  APPLY,
  ARCHIVE,
  CAPTURE,
  DEMO,
  DIFF,
  FOLLOW,
  INIT,
  KEYGEN,
  LOCAL,
  PLAN,
  SCAN,
  SCHEMA,
  SETUP_SOURCE,
  STATUS,
  STOP,
  SYNC,
  TEARDOWN,
  VERIFY,
};

export const COMMAND_DEFS: readonly CommandDef[] = [
  SYNC,
  PLAN,
  SCHEMA,
  DIFF,
  VERIFY,
  SETUP_SOURCE,
  FOLLOW,
  TEARDOWN,
  STATUS,
  STOP,
  CAPTURE,
  APPLY,
  ARCHIVE,
  LOCAL,
  DEMO,
  INIT,
  SCAN,
  KEYGEN,
];

/** `pgtwin help`, which is no command module of its own. */
export const HELP_COMMAND = { name: 'help', summary: 'show help for a command (`pgtwin help sync`)' } as const;
