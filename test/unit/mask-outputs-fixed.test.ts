import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { compileMasks } from '../../src/anonymize/index.js';
import { decodeField, encodeField } from '../../src/pg/copy-text.js';
import { RowMasker } from '../../src/mask/row-masker.js';
import { GOLDEN_KEY, goldenCases, goldenOutputs } from '../support/golden-masks.js';

interface FixtureEntry {
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly type: string;
  readonly outputs: readonly (string | null)[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/mask-outputs.json', import.meta.url), 'utf8')) as FixtureEntry[];

describe('masked outputs stay what earlier versions wrote', () => {
  it('every built-in strategy gives the recorded outputs for the recorded inputs (test/fixtures/mask-outputs.json)', () => {
    const cases = goldenCases();
    assert.equal(cases.length, fixture.length, 'the fixture has one entry per case; regenerate it only for a deliberate change of outputs');
    const outputs = goldenOutputs(cases);
    cases.forEach((c, i) => {
      const entry = fixture[i] as FixtureEntry;
      assert.equal(entry.strategy, c.strategy);
      assert.deepEqual(entry.options, c.options);
      const label = `${c.strategy} ${JSON.stringify(c.options)} on ${c.type}`;
      (outputs[i] ?? []).forEach((out, j) => assert.equal(out, entry.outputs[j], `${label}: input ${JSON.stringify(c.inputs[j])}`));
    });
  });

  it('the COPY transform (byte paths included) writes the recorded outputs', () => {
    const cases = goldenCases();
    cases.forEach((c, i) => {
      const entry = fixture[i] as FixtureEntry;
      const mask = compileMasks(
        new Map([['v', { strategy: c.strategy, options: c.options }]]),
        [
          { name: 'id', type: 'text' },
          { name: 'v', type: c.type },
        ],
        { table: 'public.golden', key: GOLDEN_KEY },
      ).get(1);
      assert.ok(mask);
      const input = Buffer.from(c.inputs.map((v, j) => `${j}\t${encodeField(v)}\n`).join(''), 'utf8');
      const masker = new RowMasker(2, new Map([[1, mask]]));
      masker.begin(input.length);
      masker.maskRows(input, 0, input.length);
      const out = Buffer.from(masker.take());
      let start = 0;
      c.inputs.forEach((input, j) => {
        const lf = out.indexOf(0x0a, start);
        const tab = out.indexOf(0x09, start);
        assert.equal(
          decodeField(out, tab + 1, lf),
          entry.outputs[j],
          `${c.strategy} ${JSON.stringify(c.options)} on ${c.type}: input ${JSON.stringify(input)}`,
        );
        start = lf + 1;
      });
    });
  });
});
