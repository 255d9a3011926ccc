/**
 * The demo shop as a function of (seed, scale): how many of each entity there
 * are, and every entity's attributes computed from its own random stream. A
 * table's rows and the rows that refer to them (an order's payments, a ticket's
 * customer) are computed independently and still agree, so each table can be
 * streamed on its own with constant memory, except one small array for
 * addresses.
 */
import { cardExpiry, cardNumber, fillPattern, mailboxPart, phone } from './fake.js';
import { Prng } from './prng.js';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PLACES, PRODUCTS, type Place } from './vocab.js';

/** Stream numbers: one per kind of entity attribute set, so adding one never shifts another. */
const STREAM = {
  customer: 1,
  since: 2,
  addressCount: 3,
  address: 4,
  order: 5,
  lines: 6,
  payments: 7,
  ticket: 8,
  card: 9,
  customerExtra: 10,
  orderExtra: 11,
} as const;

export const DEMO_START_MS = Date.UTC(2020, 0, 1);
export const DEMO_END_MS = Date.UTC(2025, 5, 30);
const DAY_MS = 86_400_000;

/** Entity counts at scale 1: about 142,000 rows in all. */
const BASE = { customers: 10_000, orders: 25_000, tickets: 5_000 } as const;

export interface Customer {
  readonly id: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly phone: string;
  readonly place: Place;
  readonly sinceMs: number;
}

export interface OrderHeader {
  readonly id: number;
  readonly customerId: number;
  readonly addressId: number;
  readonly status: 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';
  readonly placedMs: number;
}

export interface OrderLine {
  readonly sku: string;
  readonly productName: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface Card {
  readonly number: string;
  readonly holder: string;
  readonly expiry: string;
}

export class DemoWorld {
  readonly customers: number;
  readonly orders: number;
  readonly tickets: number;
  /** addressStart[c] is the id of customer c's first address; addressStart[customers + 1] is one past the last. */
  private readonly addressStart: Int32Array;

  constructor(
    readonly seed: number,
    scale: number,
  ) {
    this.customers = Math.max(1, Math.round(BASE.customers * scale));
    this.orders = Math.max(1, Math.round(BASE.orders * scale));
    this.tickets = Math.max(1, Math.round(BASE.tickets * scale));
    this.addressStart = new Int32Array(this.customers + 2);
    let next = 1;
    for (let c = 1; c <= this.customers; c++) {
      this.addressStart[c] = next;
      next += this.addressCount(c);
    }
    this.addressStart[this.customers + 1] = next;
  }

  get addresses(): number {
    return (this.addressStart[this.customers + 1] ?? 1) - 1;
  }

  /** Most customers have one address, some two or three. */
  addressCount(customerId: number): number {
    const roll = Prng.of(this.seed, STREAM.addressCount, customerId).float();
    return roll < 0.55 ? 1 : roll < 0.9 ? 2 : 3;
  }

  firstAddressOf(customerId: number): number {
    return this.addressStart[customerId] ?? 1;
  }

  rng(stream: keyof typeof STREAM, id: number): Prng {
    return Prng.of(this.seed, STREAM[stream], id);
  }

  customer(id: number): Customer {
    const rng = this.rng('customer', id);
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const place = rng.pick(PLACES);
    const first = mailboxPart(firstName);
    const last = mailboxPart(lastName);
    // The id makes every address unique whatever the names: names hold no digits.
    const mailbox = rng.pick([`${first}.${last}${id}`, `${first.charAt(0)}${last}${id}`, `${last}.${first}${id}`, `${first}${id}`]);
    const email = `${mailbox}@${rng.pick(EMAIL_DOMAINS)}`;
    return { id, firstName, lastName, email, phone: phone(rng, place), place, sinceMs: this.customerSince(id) };
  }

  /** Sign-up time; on a stream of its own because orders and tickets need it without the rest. */
  customerSince(id: number): number {
    return DEMO_START_MS + this.rng('since', id).int(Math.floor((DEMO_END_MS - DEMO_START_MS) * 0.8));
  }

  /** The card a customer pays with: the same card across their payments, as in real data. */
  card(customer: Customer): Card {
    const rng = this.rng('card', customer.id);
    const holder = `${customer.firstName} ${customer.lastName}`.toUpperCase();
    return { number: cardNumber(rng), holder, expiry: cardExpiry(rng, new Date(DEMO_END_MS).getUTCFullYear()) };
  }

  orderHeader(id: number): OrderHeader {
    const rng = this.rng('order', id);
    const customerId = rng.between(1, this.customers);
    const addressId = this.firstAddressOf(customerId) + rng.int(this.addressCount(customerId));
    const since = this.customerSince(customerId);
    const placedMs = since + rng.int(DEMO_END_MS - since);
    const ageDays = (DEMO_END_MS - placedMs) / DAY_MS;
    const roll = rng.float();
    let status: OrderHeader['status'];
    if (ageDays < 3) status = roll < 0.5 ? 'pending' : 'paid';
    else if (ageDays < 10) status = roll < 0.1 ? 'cancelled' : 'shipped';
    else status = roll < 0.05 ? 'cancelled' : roll < 0.1 ? 'refunded' : 'delivered';
    return { id, customerId, addressId, status, placedMs };
  }

  orderLines(orderId: number): OrderLine[] {
    const rng = this.rng('lines', orderId);
    const roll = rng.float();
    const count = roll < 0.3 ? 1 : roll < 0.6 ? 2 : roll < 0.8 ? 3 : roll < 0.93 ? 4 : 5;
    const lines: OrderLine[] = [];
    for (let i = 0; i < count; i++) {
      const [prefix, productName, price] = rng.pick(PRODUCTS);
      lines.push({
        sku: `${prefix}-${fillPattern(rng, '####')}`,
        productName,
        quantity: rng.chance(0.8) ? 1 : rng.between(2, 4),
        unitPriceCents: price,
      });
    }
    return lines;
  }

  orderTotalCents(orderId: number): number {
    return this.orderLines(orderId).reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  }
}
