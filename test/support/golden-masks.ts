/**
 * The inputs of the masked-output fixture (test/fixtures/mask-outputs.json):
 * every built-in strategy's examples plus seeded inputs shaped like what the
 * fast paths see (emails, phones in many layouts, names, digit strings). The
 * fixture pins what each strategy outputs under one fixed key, so a change
 * that alters masked values (which would break joins with twins masked
 * earlier, and follow after sync) fails a test instead of passing silently.
 *
 *   node --import tsx test/support/golden-masks.ts > test/fixtures/mask-outputs.json
 *
 * regenerates it; do that only for a change of outputs that is meant.
 */
import { compileMasks, MaskingKey, STRATEGY_EXAMPLES } from '../../src/anonymize/index.js';
import { prng as seeded } from '../../bench/support/prng.js';

export interface GoldenCase {
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly type: string;
  readonly inputs: readonly string[];
}

export const GOLDEN_KEY = new MaskingKey(Buffer.alloc(32, 0x3c));

function generated(
  count: number,
  seed: number,
  make: (pick: (items: string) => string, digits: (n: number) => string, r: () => number) => string,
): string[] {
  const r = seeded(seed);
  const pick = (items: string): string => items.charAt(Math.floor(r() * items.length));
  const digits = (n: number): string => Array.from({ length: n }, () => pick('0123456789')).join('');
  return Array.from({ length: count }, () => make(pick, digits, r));
}

const PHONE_LAYOUTS = [
  '+1 (###) ###-####',
  '+1-###-###-####',
  '(###) ###-####',
  '0## #### ####',
  '+44 ## #### ####',
  '00## ### #### ####',
  '+#########',
  '###-#### ext. ##',
  '#',
  '0#',
  '00',
  '+',
  ' +## ###',
  '\t00 # ###',
  '+###########',
  '0 ### ###',
  '+(##) ###',
  '#'.repeat(30),
  '+1 ' + '#'.repeat(26),
  '##.##.##.##.##',
  '   ###',
  'tel: ### ###',
];
const NAMES = ['Smith', 'García', 'Chen', 'Dubois', 'Adeyemi', 'Larsson', 'Patel', 'Müller', 'Ólafsdóttir', 'Nguyễn', '王', "O'Neil", ''];

export function goldenCases(): GoldenCase[] {
  const examples = STRATEGY_EXAMPLES.map((e) => ({
    strategy: e.strategy,
    options: e.options,
    type: e.type,
    inputs: e.sampleInputs,
    row: e.row,
  }));
  const emails = generated(300, 1, (pick, digits, r) =>
    r() < 0.1
      ? `Ünïcode.${digits(3)}@bücher.de`
      : `${pick('abcxyz')}${pick('.-_')}user${digits(Math.floor(r() * 8))}@mail${digits(2)}.example.org`,
  );
  const phoneDigits = seeded(2);
  const phones = Array.from({ length: 600 }, (_, i) =>
    (PHONE_LAYOUTS[i % PHONE_LAYOUTS.length] as string).replace(/#/g, () => String(Math.floor(phoneDigits() * 10))),
  );
  const names = [...NAMES, ...generated(200, 3, (pick, _d, r) => NAMES[Math.floor(r() * NAMES.length)] + pick(' ab'))];
  const digitStrings = generated(
    300,
    4,
    (pick, digits, r) => `${digits(3)}${pick('- ')}${digits(2)}${pick('- ')}${digits(Math.floor(r() * 6))}`,
  );
  return [
    ...examples.filter((e) => e.row === undefined),
    { strategy: 'email', options: {}, type: 'text', inputs: emails },
    { strategy: 'email', options: { domain: 'corp.test' }, type: 'text', inputs: emails },
    { strategy: 'email', options: { keep_domain: true }, type: 'text', inputs: emails },
    { strategy: 'phone', options: {}, type: 'text', inputs: phones },
    { strategy: 'phone', options: { keep_country_code: false }, type: 'text', inputs: phones },
    ...['name', 'first_name', 'last_name'].map((strategy) => ({ strategy, options: {}, type: 'text', inputs: names })),
    { strategy: 'last_name', options: {}, type: 'character varying(6)', inputs: names },
    ...['name', 'first_name', 'last_name', 'city', 'country', 'company', 'street_address', 'username'].map((kind) => ({
      strategy: 'fake',
      options: { kind },
      type: 'text',
      inputs: names,
    })),
    { strategy: 'digits', options: {}, type: 'text', inputs: digitStrings },
    { strategy: 'credit_card', options: {}, type: 'text', inputs: digitStrings },
  ];
}

/** Each case's outputs under GOLDEN_KEY, in input order. */
export function goldenOutputs(cases: readonly GoldenCase[]): (string | null)[][] {
  return cases.map((c) => {
    const mask = compileMasks(new Map([['v', { strategy: c.strategy, options: c.options }]]), [{ name: 'v', type: c.type }], {
      table: 'public.golden',
      key: GOLDEN_KEY,
    }).get(0);
    if (mask === undefined) throw new Error(`no mask for ${c.strategy}`);
    return c.inputs.map((input) => mask(input, { field: () => null }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = goldenCases();
  const outputs = goldenOutputs(cases);
  process.stdout.write(
    JSON.stringify(
      cases.map((c, i) => ({ strategy: c.strategy, options: c.options, type: c.type, outputs: outputs[i] })),
      null,
      1,
    ) + '\n',
  );
}
