/** docs/cli.md's flag tables, command list and exit codes are what the command definitions generate. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLI_DOCS, generateCliDocs } from '../../scripts/docs-cli.js';
import { flagsOf } from '../../src/cli/definition.js';
import { COMMAND_DEFS } from '../../src/cli/definitions/index.js';
import { pgtwin } from '../support/cli.js';

describe('docs/cli.md', () => {
  it('holds what the command definitions generate (run `npm run docs:cli` after changing a command)', () => {
    const text = readFileSync(CLI_DOCS, 'utf8');
    const generated = generateCliDocs(text);
    if (generated !== text) {
      const [a, b] = [text.split('\n'), generated.split('\n')];
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(
        `docs/cli.md differs from the command definitions at line ${line + 1}: run \`npm run docs:cli\`\n  file:      ${a[line] ?? ''}\n  generated: ${b[line] ?? ''}`,
      );
    }
  });

  it('refuses a file that lacks the flag table of a command', () => {
    const text = readFileSync(CLI_DOCS, 'utf8').replace(/<!-- generated:flags stop -->[\s\S]*?<!-- \/generated -->/, '');
    assert.throws(() => generateCliDocs(text), /no <!-- generated:flags NAME --> block for: stop/);
  });
});

describe('command definitions', () => {
  it('are the commands pgtwin runs, and each --help lists every flag its parser takes', async () => {
    for (const command of COMMAND_DEFS) {
      for (const sub of [command, ...(command.subcommands ?? [])]) {
        const help = await pgtwin([...sub.name.split(' '), '--help']);
        assert.equal(help.code, 0, sub.name);
        assert.match(help.stdout, new RegExp(`^Usage: pgtwin ${sub.name}`), sub.name);
        if (sub.subcommands !== undefined) continue;
        for (const flag of flagsOf(sub)) assert.ok(help.stdout.includes(`--${flag.name}`), `${sub.name} --help lacks --${flag.name}`);
      }
    }
  });

  it('give each long and short name once per command', () => {
    for (const command of COMMAND_DEFS.flatMap((c) => [c, ...(c.subcommands ?? [])])) {
      const names = flagsOf(command).flatMap((f) => [`--${f.name}`, ...(f.short !== undefined ? [`-${f.short}`] : [])]);
      assert.deepEqual(
        names.filter((n, i) => names.indexOf(n) !== i),
        [],
        command.name,
      );
    }
  });
});
