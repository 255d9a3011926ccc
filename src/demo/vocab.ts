/**
 * Word lists of the demo shop. They are deliberately not the lists the masking
 * strategies draw from, so a masked twin visibly differs from its source.
 * Email domains are the reserved example.* names: no generated address can
 * belong to anyone.
 */
import { readWordList } from '../word-list.js';

const list = (name: string): readonly string[] => readWordList(new URL(`./data/${name}.txt`, import.meta.url));

export const FIRST_NAMES = list('first-names');

export const LAST_NAMES = list('last-names');

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'shop.example.org'] as const;

/** City, ISO country, postal code pattern (# a digit, @ a letter), phone prefix and its digit count. */
export interface Place {
  readonly city: string;
  readonly country: string;
  readonly postal: string;
  readonly phonePrefix: string;
  readonly phoneDigits: number;
}

export const PLACES: readonly Place[] = [
  { city: 'Berlin', country: 'DE', postal: '1####', phonePrefix: '+49 30 ', phoneDigits: 8 },
  { city: 'München', country: 'DE', postal: '8####', phonePrefix: '+49 89 ', phoneDigits: 8 },
  { city: 'Amsterdam', country: 'NL', postal: '10## @@', phonePrefix: '+31 20 ', phoneDigits: 7 },
  { city: 'Paris', country: 'FR', postal: '750##', phonePrefix: '+33 1 ', phoneDigits: 8 },
  { city: 'Lyon', country: 'FR', postal: '690##', phonePrefix: '+33 4 ', phoneDigits: 8 },
  { city: 'Madrid', country: 'ES', postal: '280##', phonePrefix: '+34 91 ', phoneDigits: 7 },
  { city: 'Milano', country: 'IT', postal: '201##', phonePrefix: '+39 02 ', phoneDigits: 8 },
  { city: 'Kraków', country: 'PL', postal: '3#-###', phonePrefix: '+48 12 ', phoneDigits: 7 },
  { city: 'København', country: 'DK', postal: '1###', phonePrefix: '+45 ', phoneDigits: 8 },
  { city: 'London', country: 'GB', postal: '@@# #@@', phonePrefix: '+44 20 ', phoneDigits: 8 },
  { city: 'Dublin', country: 'IE', postal: 'D0# @#@#', phonePrefix: '+353 1 ', phoneDigits: 7 },
  { city: 'New York', country: 'US', postal: '100##', phonePrefix: '+1 212 555 ', phoneDigits: 4 },
  { city: 'Austin', country: 'US', postal: '787##', phonePrefix: '+1 512 555 ', phoneDigits: 4 },
  { city: 'Toronto', country: 'CA', postal: 'M#@ #@#', phonePrefix: '+1 416 555 ', phoneDigits: 4 },
  { city: 'Lisboa', country: 'PT', postal: '1###-###', phonePrefix: '+351 21 ', phoneDigits: 7 },
  { city: 'Wien', country: 'AT', postal: '1###', phonePrefix: '+43 1 ', phoneDigits: 7 },
];

export const STREETS = list('streets');

/** SKU prefix, product name, price in cents. */
export const PRODUCTS: ReadonlyArray<readonly [string, string, number]> = [
  ['MUG', 'Ceramic mug, 350 ml', 1290],
  ['TEE', 'Organic cotton T-shirt', 2490],
  ['HOD', 'Hooded sweatshirt', 5990],
  ['CAP', 'Baseball cap', 1990],
  ['BAG', 'Canvas tote bag', 1490],
  ['NTB', 'Dotted notebook A5', 990],
  ['PEN', 'Fountain pen', 3450],
  ['LMP', 'Desk lamp', 4900],
  ['KBD', 'Mechanical keyboard', 11900],
  ['MOU', 'Wireless mouse', 3990],
  ['HDP', 'Noise-cancelling headphones', 19900],
  ['CHR', 'USB-C charger 65 W', 3990],
  ['CBL', 'Braided USB-C cable', 1290],
  ['BTL', 'Insulated bottle 750 ml', 2790],
  ['SOC', 'Merino socks (2 pairs)', 1890],
  ['PLT', 'Houseplant, potted', 2490],
  ['CAN', 'Scented candle', 1690],
  ['TEA', 'Loose-leaf tea, 100 g', 890],
  ['COF', 'Coffee beans, 1 kg', 2290],
  ['BLK', 'Wool blanket', 8900],
  ['UMB', 'Compact umbrella', 2190],
  ['BKP', 'Laptop backpack', 7900],
  ['WAL', 'Leather wallet', 4490],
  ['SUN', 'Sunglasses', 6900],
];

export const TICKET_SUBJECTS = list('ticket-subjects');

export const SENTENCES = list('sentences');

export const CUSTOMER_NOTES = list('customer-notes');

export const ORDER_NOTES = list('order-notes');
