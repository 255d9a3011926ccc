/**
 * `name` / `full_name`, `first_name`, `last_name`: the familiar shorthands for
 * `fake` with that kind. They share fake's PRF domain, so `first_name` and
 * `{strategy: fake, kind: first_name}` mask a value identically.
 */
import { domainOf } from '../canonical.js';
import { defineBuiltinStrategy, type Strategy } from '../strategy.js';
import { makeFake } from './fake.js';
import type { FakeKind } from './fake-kinds.js';

function nameStrategy(name: string, kind: FakeKind, summary: string): Strategy {
  return defineBuiltinStrategy({
    name,
    summary,
    acceptsTypes: ['text'],
    options: () => ({}),
    domain: () => domainOf('fake', { kind, format: undefined }),
    create: ({ prf, column }) => makeFake(kind, prf, column.maxLength),
  });
}

export const fullName = nameStrategy('name', 'name', 'a realistic "First Last" from built-in lists; not injective');
export const fullNameAlias = nameStrategy('full_name', 'name', 'same as `name`');
export const firstName = nameStrategy('first_name', 'first_name', 'a first name from a built-in list; not injective');
export const lastName = nameStrategy('last_name', 'last_name', 'a last name from a built-in list; not injective');
