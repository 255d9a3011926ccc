import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLuhnValid, luhnCheckDigit } from '../../src/demo/luhn.js';
import { Prng } from '../../src/demo/prng.js';
import { demoRows, DEMO_COLUMNS, type Row } from '../../src/demo/rows.js';
import { DEMO_DDL, DEMO_TABLES, type DemoTable } from '../../src/demo/schema.js';
import { DemoWorld } from '../../src/demo/world.js';
import { encodeField } from '../../src/pg/copy-text.js';

function rowsOf(world: DemoWorld, table: DemoTable): Row[] {
  return [...demoRows(world, table)];
}

/** A digest of a table's COPY text: equal digests, equal data. */
function digest(world: DemoWorld, table: DemoTable): string {
  const hash = createHash('sha256');
  for (const row of demoRows(world, table)) hash.update(row.map(encodeField).join('\t') + '\n');
  return hash.digest('hex');
}

function column(table: DemoTable, name: string): number {
  const index = DEMO_COLUMNS[table].indexOf(name);
  assert.ok(index >= 0, `${table}.${name} exists`);
  return index;
}

describe('luhn', () => {
  it('accepts known valid numbers and rejects a changed digit', () => {
    for (const valid of ['4111111111111111', '5555555555554444', '378282246310005', '79927398713']) assert.ok(isLuhnValid(valid), valid);
    assert.ok(!isLuhnValid('4111111111111112'));
    assert.ok(!isLuhnValid('79927398710'));
    assert.ok(!isLuhnValid('not a number'));
  });

  it('makes any digit string valid with its check digit, and only that digit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,18}$/), (partial) => {
        const check = luhnCheckDigit(partial);
        assert.ok(isLuhnValid(partial + check));
        assert.ok(!isLuhnValid(partial + ((check + 1) % 10)));
      }),
    );
  });
});

describe('Prng', () => {
  it('gives the same sequence for the same keys and a different one for other keys', () => {
    const take = (rng: Prng): number[] => Array.from({ length: 8 }, () => rng.next());
    assert.deepEqual(take(Prng.of(1, 2, 3)), take(Prng.of(1, 2, 3)));
    assert.notDeepEqual(take(Prng.of(1, 2, 3)), take(Prng.of(1, 2, 4)));
    assert.notDeepEqual(take(Prng.of(1, 2, 3)), take(Prng.of(2, 2, 3)));
  });

  it('stays in range and covers it', () => {
    const rng = Prng.of(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = rng.between(3, 9);
      assert.ok(value >= 3 && value <= 9);
      seen.add(value);
      const f = rng.float();
      assert.ok(f >= 0 && f < 1);
    }
    assert.equal(seen.size, 7);
  });
});

describe('demo data', () => {
  it('is deterministic: the same seed gives the same rows, another seed other rows', () => {
    const a = new DemoWorld(1, 0.05);
    const b = new DemoWorld(1, 0.05);
    const c = new DemoWorld(2, 0.05);
    for (const table of DEMO_TABLES) {
      assert.equal(digest(a, table), digest(b, table), `${table} is the same for the same seed`);
      assert.notEqual(digest(a, table), digest(c, table), `${table} differs for another seed`);
    }
  });

  it('has at least 100,000 rows across the six tables at scale 1', () => {
    const world = new DemoWorld(1, 1);
    let total = 0;
    for (const table of DEMO_TABLES) {
      let rows = 0;
      for (const row of demoRows(world, table)) {
        assert.equal(row.length, DEMO_COLUMNS[table].length);
        rows++;
      }
      assert.ok(rows > 0, `${table} has rows`);
      total += rows;
    }
    assert.ok(total >= 100_000, `${total} rows`);
  });

  it('has Luhn-valid card numbers exactly where the method is card', () => {
    const payments = rowsOf(new DemoWorld(3, 0.05), 'payments');
    let cards = 0;
    for (const row of payments) {
      const card = row[column('payments', 'card_number')];
      const method = row[column('payments', 'method')];
      assert.equal(method === 'card', card !== null, 'card number iff paid by card');
      if (card === null || card === undefined) continue;
      cards++;
      assert.ok(isLuhnValid(card), card);
      assert.match(card, /^\d{15,16}$/);
      assert.match(row[column('payments', 'card_expiry')] ?? '', /^(0[1-9]|1[0-2])\/\d{2}$/);
    }
    assert.ok(cards > payments.length / 2, 'most payments are by card');
  });

  it('has unique emails and well-formed personal data', () => {
    const customers = rowsOf(new DemoWorld(1, 0.2), 'customers');
    const emails = customers.map((row) => row[column('customers', 'email')] ?? '');
    assert.equal(new Set(emails).size, emails.length, 'emails are unique');
    for (const email of emails) assert.match(email, /^[a-z]+(\.[a-z]+)?\d+@[a-z.]*example\.(com|org|net)$/);
    for (const row of customers) {
      assert.match(row[column('customers', 'signup_ip')] ?? '', /^(\d{1,3}(\.\d{1,3}){3}|2001:db8:[0-9a-f:]+)$/);
      const birth = row[column('customers', 'birth_date')];
      if (birth !== null && birth !== undefined) assert.match(birth, /^(19[4-9]\d|200[0-6])-\d{2}-\d{2}$/);
      assert.match(row[column('customers', 'created_at')] ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00$/);
    }
  });

  it('links every foreign key to an existing row of the right owner', () => {
    const world = new DemoWorld(5, 0.05);
    const ids = (table: DemoTable): Set<string> => new Set(rowsOf(world, table).map((row) => row[0] ?? ''));
    const customers = ids('customers');
    const ordersById = new Map(rowsOf(world, 'orders').map((row) => [row[0] ?? '', row]));
    const addressOwner = new Map(rowsOf(world, 'addresses').map((row) => [row[0] ?? '', row[column('addresses', 'customer_id')]]));
    for (const owner of addressOwner.values()) assert.ok(customers.has(owner ?? ''), 'address of an existing customer');
    for (const order of ordersById.values()) {
      const customer = order[column('orders', 'customer_id')] ?? '';
      assert.ok(customers.has(customer));
      assert.equal(
        addressOwner.get(order[column('orders', 'shipping_address_id')] ?? ''),
        customer,
        "ships to one of its customer's addresses",
      );
    }
    for (const table of ['order_items', 'payments'] as const) {
      for (const row of rowsOf(world, table))
        assert.ok(ordersById.has(row[column(table, 'order_id')] ?? ''), `${table} of an existing order`);
    }
    for (const ticket of rowsOf(world, 'support_tickets')) {
      const orderId = ticket[column('support_tickets', 'order_id')];
      const customer = ticket[column('support_tickets', 'customer_id')] ?? '';
      assert.ok(customers.has(customer));
      if (orderId !== null && orderId !== undefined)
        assert.equal(ordersById.get(orderId)?.[column('orders', 'customer_id')], customer, 'a ticket about an order is from its customer');
    }
  });

  it('makes payment amounts equal to the order totals, and order totals the sum of their items', () => {
    const world = new DemoWorld(1, 0.02);
    const itemSums = new Map<string, number>();
    for (const item of rowsOf(world, 'order_items')) {
      const order = item[column('order_items', 'order_id')] ?? '';
      const cents = Number(item[column('order_items', 'quantity')]) * Math.round(Number(item[column('order_items', 'unit_price')]) * 100);
      itemSums.set(order, (itemSums.get(order) ?? 0) + cents);
    }
    const totals = new Map(rowsOf(world, 'orders').map((row) => [row[0] ?? '', row[column('orders', 'total')]]));
    for (const [order, total] of totals) assert.equal(Math.round(Number(total) * 100), itemSums.get(order), `order ${order}`);
    for (const payment of rowsOf(world, 'payments')) {
      assert.equal(payment[column('payments', 'amount')], totals.get(payment[column('payments', 'order_id')] ?? ''));
    }
  });

  it('has DDL for every table it generates, with keys, enums, a unique email and foreign keys', () => {
    for (const table of DEMO_TABLES) assert.match(DEMO_DDL, new RegExp(`CREATE TABLE ${table} \\(`));
    assert.match(DEMO_DDL, /CREATE TYPE \w+ AS ENUM/);
    assert.match(DEMO_DDL, /email text NOT NULL CONSTRAINT customers_email_key UNIQUE/);
    assert.equal(DEMO_DDL.match(/FOREIGN KEY/g)?.length, 7);
  });
});
