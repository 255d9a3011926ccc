/**
 * The masking rules of the demo, written as a user would in pgtwin.yaml and
 * in strict mode: every column of every table is either masked or listed as
 * reviewed and kept. Foreign keys point at ids, which are kept.
 */
import type { StrategySpec } from '../config/index.js';

const rule = (strategy: string, options: Record<string, unknown> = {}): StrategySpec => ({ strategy, options });

export const DEMO_ANONYMIZE: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>> = new Map([
  [
    'customers',
    new Map([
      ['first_name', rule('first_name')],
      ['last_name', rule('last_name')],
      ['email', rule('email')],
      ['phone', rule('phone')],
      ['birth_date', rule('date', { days: 180 })],
      ['signup_ip', rule('ip')],
      ['notes', rule('lorem')],
    ]),
  ],
  [
    'addresses',
    new Map([
      ['line1', rule('fake', { kind: 'street_address' })],
      ['line2', rule('lorem')],
      ['city', rule('fake', { kind: 'city' })],
      ['postal_code', rule('fake', { kind: 'postcode' })],
    ]),
  ],
  ['orders', new Map([['customer_note', rule('lorem')]])],
  [
    'payments',
    new Map([
      ['card_number', rule('credit_card', { keep_last4: true })],
      ['card_holder', rule('full_name')],
      ['client_ip', rule('ip')],
    ]),
  ],
  [
    'support_tickets',
    new Map([
      ['subject', rule('lorem')],
      ['body', rule('lorem')],
    ]),
  ],
]);

export const DEMO_KEEP: ReadonlyMap<string, readonly string[]> = new Map([
  ['customers', ['id', 'status', 'marketing_opt_in', 'created_at']],
  ['addresses', ['id', 'customer_id', 'kind', 'country', 'created_at']],
  ['orders', ['id', 'customer_id', 'shipping_address_id', 'status', 'total', 'currency', 'placed_at']],
  ['order_items', ['id', 'order_id', 'line_no', 'sku', 'product_name', 'quantity', 'unit_price']],
  // card_expiry is not personal on its own; the number and holder are masked.
  ['payments', ['id', 'order_id', 'method', 'card_expiry', 'amount', 'succeeded', 'paid_at']],
  ['support_tickets', ['id', 'customer_id', 'order_id', 'priority', 'opened_at', 'closed_at']],
]);
