/**
 * `defineStrategy`: turns a definition (typed by its options) into a Strategy
 * the engine can check and compile without knowing the options type.
 *
 * A definition made while a custom-strategies module is being loaded is also
 * recorded for the loader, so a module only has to call defineStrategy. The
 * recording goes through a global symbol, because a `.ts` module loaded with
 * tsx's tsImport gets its own copy of pgtwin's files; for the same reason the
 * registry rebuilds custom strategies from their `definition` with this copy
 * (`rebuildStrategy`), so that keys and PRFs are only ever handled here.
 */
import type { StrategySpec } from '../config/index.js';
import { domainOf } from './canonical.js';
import type { MaskingKey } from './key.js';
import { OptionReader } from './options.js';
import { Prf } from './prf.js';
import type {
  CheckContext,
  ColumnFacts,
  MaskContext,
  RowReader,
  StrategyDefinition,
  StrategyOptions,
  ValueMask,
} from './strategy-types.js';
import type { TypeFamily } from './types.js';

export const STRATEGY_BRAND: unique symbol = Symbol.for('pgtwin.strategy') as never;
const CAPTURE = Symbol.for('pgtwin.strategyCapture');

export interface StrategyCheck {
  readonly problems: readonly string[];
  readonly injective: boolean;
}

export interface InstantiateContext {
  readonly table: string;
  readonly column: ColumnFacts;
  readonly key: MaskingKey;
  readonly row: RowReader;
  readonly nested: (spec: StrategySpec) => ValueMask;
}

export interface CompiledStrategy {
  readonly mask: ValueMask;
  /** What NULL becomes; undefined: NULL stays NULL. */
  readonly maskNull: ((row: RowReader) => string | null) | undefined;
}

/** A strategy ready for the engine; made by defineStrategy. */
export interface Strategy {
  readonly [STRATEGY_BRAND]: true;
  readonly name: string;
  readonly summary: string;
  readonly acceptsTypes: readonly (TypeFamily | 'any')[];
  /** 'yes', 'no', or 'depends' (on options or the column) — for listings. */
  readonly injectivity: 'yes' | 'no' | 'depends';
  readonly producesNull: boolean;
  accepts(family: TypeFamily): boolean;
  check(options: StrategyOptions, ctx: CheckContext): StrategyCheck;
  /** Columns of the row a rule with these options reads ([] when its options are invalid). */
  reads(options: StrategyOptions): readonly string[];
  instantiate(options: StrategyOptions, ctx: InstantiateContext): CompiledStrategy;
  /** The definition it was made from (options type erased). */
  readonly definition: StrategyDefinition<StrategyOptions>;
}

const NAME = /^[a-z][a-z0-9_]*$/;

export function defineStrategy<O = StrategyOptions>(definition: StrategyDefinition<O>): Strategy {
  const strategy = build(definition);
  capture(strategy);
  return strategy;
}

/**
 * For pgtwin's own strategies: not recorded for the custom-module loader (a
 * module loaded through tsImport evaluates its own copy of the built-ins).
 */
export function defineBuiltinStrategy<O = StrategyOptions>(definition: StrategyDefinition<O>): Strategy {
  return build(definition);
}

/** The same strategy built by this copy of the engine, under `strategy.name` (which a caller may have changed). */
export function rebuildStrategy(strategy: Strategy): Strategy {
  return build({ ...strategy.definition, name: strategy.name });
}

function build<O>(definition: StrategyDefinition<O>): Strategy {
  const { name } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`strategy name must be lowercase letters, digits and _, starting with a letter; got ${JSON.stringify(name)}`);
  }
  if ((definition.mask === undefined) === (definition.create === undefined)) {
    throw new TypeError(`strategy ${name} must define exactly one of mask(value, ctx) or create(setup)`);
  }
  const acceptsTypes = definition.acceptsTypes ?? ['text'];
  const { injective } = definition;

  const parse = (raw: StrategyOptions): { options: O; problems: string[] } => {
    if (definition.options === undefined) return { options: raw as O, problems: [] };
    const reader = new OptionReader(raw);
    const options = definition.options(reader);
    reader.finish();
    return { options, problems: reader.problems };
  };

  const strategy: Strategy = {
    [STRATEGY_BRAND]: true,
    name,
    // Erased: O only links `options` to the functions that consume its result, which stay together.
    definition: definition as unknown as StrategyDefinition<StrategyOptions>,
    summary: definition.summary ?? '',
    acceptsTypes,
    injectivity: typeof injective === 'function' ? 'depends' : injective === true ? 'yes' : 'no',
    producesNull: definition.producesNull === true,
    accepts: (family) => acceptsTypes.includes('any') || acceptsTypes.includes(family),
    check(raw, ctx) {
      // Custom code runs here at plan time; whatever it throws becomes a listed problem, not a crash.
      try {
        const { options, problems } = parse(raw);
        if (problems.length === 0 && definition.validateOptions !== undefined) {
          const more = definition.validateOptions(options, ctx);
          if (typeof more === 'string') problems.push(more);
          else if (more !== undefined) problems.push(...more);
        }
        const isInjective = problems.length > 0 ? false : typeof injective === 'function' ? injective(options, ctx) : injective === true;
        return { problems, injective: isInjective };
      } catch (err) {
        return { problems: [`checking the options failed: ${err instanceof Error ? err.message : String(err)}`], injective: false };
      }
    },
    reads(raw) {
      if (definition.reads === undefined) return [];
      try {
        const { options, problems } = parse(raw);
        return problems.length > 0 ? [] : definition.reads(options);
      } catch {
        return []; // check() reports the failure
      }
    },
    instantiate(raw, ctx) {
      const { options, problems } = parse(raw);
      if (problems.length > 0) throw new TypeError(`strategy ${name}: ${problems.join('; ')}`);
      const domain = definition.domain?.(options) ?? domainOf(name, options);
      const prf = new Prf(ctx.key, domain);
      if (definition.create !== undefined) {
        return {
          mask: definition.create({ table: ctx.table, column: ctx.column, options, prf, nested: ctx.nested }),
          maskNull: undefined,
        };
      }
      const maskContext: MaskContext = { table: ctx.table, column: ctx.column.name, strategy: name, options: raw, row: ctx.row, prf };
      const simple = definition.mask as NonNullable<typeof definition.mask>;
      const { maskNull } = definition;
      return {
        mask: (value) => simple(value, maskContext),
        maskNull: maskNull === undefined ? undefined : () => maskNull(maskContext),
      };
    },
  };
  return strategy;
}

export function isStrategy(value: unknown): value is Strategy {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STRATEGY_BRAND] === true;
}

type Capture = ((strategy: Strategy) => void) | undefined;

function capture(strategy: Strategy): void {
  const sink = (globalThis as Record<symbol, Capture>)[CAPTURE];
  sink?.(strategy);
}

/** Runs `load` with every strategy defined meanwhile passed to `sink` (custom module loading). */
export async function captureDefinitions<T>(sink: (strategy: Strategy) => void, load: () => Promise<T>): Promise<T> {
  const holder = globalThis as Record<symbol, Capture>;
  const previous = holder[CAPTURE];
  holder[CAPTURE] = sink;
  try {
    return await load();
  } finally {
    holder[CAPTURE] = previous;
  }
}
