/** `pgtwin demo`: parse flags, run the demo, print. */
import { UsageError } from '../errors.js';
import { stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { DEMO } from './definitions/demo.js';
import type { CliIo } from './io.js';

export async function demoCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, DEMO, argv);
  if (flags === undefined) return 0;
  const scale = numberFlag(stringFlag(flags, 'scale'), 'scale', /^(\d+(\.\d*)?|\.\d+)$/) ?? 1;
  if (scale <= 0 || scale > 1000)
    throw new UsageError('BAD_FLAGS', `--scale takes a number above 0 and at most 1000, not ${scale}.`, {
      nextStep: 'For example --scale 0.1.',
    });
  const seed = numberFlag(stringFlag(flags, 'seed'), 'seed', /^\d{1,9}$/) ?? 1;
  // Loaded here, not at the top: only this command needs the demo's code.
  const { runDemo } = await import('../demo/run-demo.js');
  await runDemo(io, { scale, seed, signal });
  return 0;
}

function numberFlag(value: string | undefined, name: string, pattern: RegExp): number | undefined {
  if (value === undefined) return undefined;
  if (!pattern.test(value))
    throw new UsageError('BAD_FLAGS', `--${name} takes a number, not "${value}".`, { nextStep: `See \`pgtwin demo --help\`.` });
  return Number(value);
}
