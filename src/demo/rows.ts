/**
 * The rows of each demo table, in the PostgreSQL text form of each column and
 * in the column order of `DEMO_COLUMNS`. Generators, so a table of any size is
 * produced one row at a time.
 */
import { cents, date, fillPattern, ipAddress, timestamp } from './fake.js';
import type { DemoTable } from './schema.js';
import { CUSTOMER_NOTES, ORDER_NOTES, PLACES, SENTENCES, STREETS, TICKET_SUBJECTS } from './vocab.js';
import { DEMO_END_MS, type Customer, type DemoWorld } from './world.js';

export type Row = ReadonlyArray<string | null>;

export const DEMO_COLUMNS: Readonly<Record<DemoTable, readonly string[]>> = {
  customers: [
    'id',
    'first_name',
    'last_name',
    'email',
    'phone',
    'birth_date',
    'status',
    'signup_ip',
    'marketing_opt_in',
    'notes',
    'created_at',
  ],
  addresses: ['id', 'customer_id', 'kind', 'line1', 'line2', 'city', 'postal_code', 'country', 'created_at'],
  orders: ['id', 'customer_id', 'shipping_address_id', 'status', 'total', 'currency', 'customer_note', 'placed_at'],
  order_items: ['id', 'order_id', 'line_no', 'sku', 'product_name', 'quantity', 'unit_price'],
  payments: ['id', 'order_id', 'method', 'card_number', 'card_holder', 'card_expiry', 'amount', 'succeeded', 'client_ip', 'paid_at'],
  support_tickets: ['id', 'customer_id', 'order_id', 'subject', 'body', 'priority', 'opened_at', 'closed_at'],
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BIRTH_FROM_MS = Date.UTC(1940, 0, 1);
const BIRTH_TO_MS = Date.UTC(2006, 11, 31);

export function demoRows(world: DemoWorld, table: DemoTable): Generator<Row> {
  switch (table) {
    case 'customers':
      return customerRows(world);
    case 'addresses':
      return addressRows(world);
    case 'orders':
      return orderRows(world);
    case 'order_items':
      return orderItemRows(world);
    case 'payments':
      return paymentRows(world);
    case 'support_tickets':
      return ticketRows(world);
  }
}

function* customerRows(world: DemoWorld): Generator<Row> {
  for (let id = 1; id <= world.customers; id++) {
    const c = world.customer(id);
    // Attributes nothing else refers to come from a second stream, so Customer stays small.
    const rng = world.rng('customerExtra', id);
    const status = rng.chance(0.9) ? 'active' : rng.chance(0.5) ? 'suspended' : 'closed';
    const notes = rng.chance(0.08) ? `${rng.pick(CUSTOMER_NOTES)} Phone on file: ${c.phone}.` : null;
    yield [
      String(id),
      c.firstName,
      c.lastName,
      c.email,
      rng.chance(0.9) ? c.phone : null,
      rng.chance(0.85) ? date(BIRTH_FROM_MS + rng.int(BIRTH_TO_MS - BIRTH_FROM_MS)) : null,
      status,
      ipAddress(rng),
      rng.chance(0.35) ? 't' : 'f',
      notes,
      timestamp(c.sinceMs),
    ];
  }
}

function* addressRows(world: DemoWorld): Generator<Row> {
  for (let customerId = 1; customerId <= world.customers; customerId++) {
    const count = world.addressCount(customerId);
    const first = world.firstAddressOf(customerId);
    const home = world.customer(customerId).place;
    for (let k = 0; k < count; k++) {
      const rng = world.rng('address', first + k);
      const place = k === 0 ? home : rng.pick(PLACES);
      yield [
        String(first + k),
        String(customerId),
        k === 0 ? 'billing' : 'shipping',
        `${rng.pick(STREETS)} ${rng.between(1, 240)}`,
        rng.chance(0.2) ? `Apt ${rng.between(1, 60)}` : null,
        place.city,
        fillPattern(rng, place.postal),
        place.country,
        timestamp(Math.min(DEMO_END_MS, world.customerSince(customerId) + k * rng.int(300) * DAY_MS)),
      ];
    }
  }
}

function* orderRows(world: DemoWorld): Generator<Row> {
  for (let id = 1; id <= world.orders; id++) {
    const order = world.orderHeader(id);
    const rng = world.rng('orderExtra', id);
    yield [
      String(id),
      String(order.customerId),
      String(order.addressId),
      order.status,
      cents(world.orderTotalCents(id)),
      'EUR',
      rng.chance(0.1) ? rng.pick(ORDER_NOTES) : null,
      timestamp(order.placedMs),
    ];
  }
}

function* orderItemRows(world: DemoWorld): Generator<Row> {
  let id = 0;
  for (let orderId = 1; orderId <= world.orders; orderId++) {
    const lines = world.orderLines(orderId);
    for (const [index, line] of lines.entries()) {
      yield [
        String(++id),
        String(orderId),
        String(index + 1),
        line.sku,
        line.productName,
        String(line.quantity),
        cents(line.unitPriceCents),
      ];
    }
  }
}

/** Pending orders are unpaid; some payments fail once before a second attempt succeeds. */
function* paymentRows(world: DemoWorld): Generator<Row> {
  let id = 0;
  for (let orderId = 1; orderId <= world.orders; orderId++) {
    const order = world.orderHeader(orderId);
    if (order.status === 'pending') continue;
    const rng = world.rng('payments', orderId);
    const customer = world.customer(order.customerId);
    const roll = rng.float();
    const method = roll < 0.7 ? 'card' : roll < 0.9 ? 'paypal' : 'bank_transfer';
    const amount = cents(world.orderTotalCents(orderId));
    const attempts = order.status === 'cancelled' ? [false] : rng.chance(0.08) ? [false, true] : [true];
    let at = order.placedMs + rng.int(10 * 60_000);
    for (const succeeded of attempts) {
      yield paymentRow(world, ++id, orderId, method, customer, amount, succeeded, ipAddress(rng), at);
      at += rng.between(1, 48) * HOUR_MS;
    }
  }
}

function paymentRow(
  world: DemoWorld,
  id: number,
  orderId: number,
  method: string,
  customer: Customer,
  amount: string,
  succeeded: boolean,
  ip: string,
  atMs: number,
): Row {
  const card = method === 'card' ? world.card(customer) : undefined;
  return [
    String(id),
    String(orderId),
    method,
    card?.number ?? null,
    card?.holder ?? null,
    card?.expiry ?? null,
    amount,
    succeeded ? 't' : 'f',
    ip,
    timestamp(atMs),
  ];
}

/** Free text that, as in real support desks, sometimes repeats the customer's phone or email. */
function* ticketRows(world: DemoWorld): Generator<Row> {
  for (let id = 1; id <= world.tickets; id++) {
    const rng = world.rng('ticket', id);
    const order = rng.chance(0.7) ? world.orderHeader(rng.between(1, world.orders)) : undefined;
    const customer = world.customer(order?.customerId ?? rng.between(1, world.customers));
    const sentences: string[] = [`Hello, this is ${customer.firstName} ${customer.lastName}.`];
    if (order !== undefined) sentences.push(`It is about order #${order.id}.`);
    const count = rng.between(1, 3);
    for (let i = 0; i < count; i++) sentences.push(rng.pick(SENTENCES));
    if (rng.chance(0.25)) sentences.push(`You can reach me at ${customer.phone}.`);
    else if (rng.chance(0.15)) sentences.push(`Please reply to ${customer.email}, not the address on file.`);
    const opened = Math.max(order?.placedMs ?? 0, customer.sinceMs) + rng.int(20) * DAY_MS + rng.int(DAY_MS);
    const closed = opened + rng.between(1, 96) * HOUR_MS;
    yield [
      String(id),
      String(customer.id),
      order === undefined ? null : String(order.id),
      rng.pick(TICKET_SUBJECTS),
      sentences.join(rng.chance(0.3) ? '\n' : ' '),
      String(rng.between(1, 5)),
      timestamp(opened),
      closed < DEMO_END_MS && rng.chance(0.8) ? timestamp(closed) : null,
    ];
  }
}
