/** `pgtwin demo`. */
import type { CommandDef } from '../definition.js';

export const DEMO: CommandDef = {
  name: 'demo',
  summary: 'sync a synthetic production database into a twin, on embedded servers',
  description: `Shows the main job end to end without any database of your own: starts a
"production" PostgreSQL server and an empty twin (both embedded, in a temporary
directory), fills production with a synthetic shop (customers, addresses,
orders, order items, payments, support tickets: over 100,000 rows with names,
emails, phones, card numbers, IPs and free text, all generated), syncs it into
the twin, prints the report and a few rows of both, then stops both servers and
deletes their data.`,
  flags: [
    { name: 'scale', value: 'N', default: '`1`', help: 'dataset size, above 0 and at most 1000: 1 is about 140,000 rows, `0.1` a tenth' },
    {
      name: 'seed',
      value: 'N',
      default: '`1`',
      help: 'seed of the generator, a whole number of up to 9 digits: the same seed gives the same data',
    },
  ],
  examples: ['pgtwin demo                 # about 140,000 rows', 'pgtwin demo --scale 0.1     # a quick look'],
  exitCodes: '0 ok, 1 failure, 2 usage, 130 interrupted (the servers are stopped either way).',
};
