/** The kinds of value `fake` makes; shared by the string and the byte paths. */
export const FAKE_KINDS = [
  'name',
  'full_name',
  'first_name',
  'last_name',
  'company',
  'city',
  'country',
  'street_address',
  'postcode',
  'username',
] as const;

export type FakeKind = (typeof FAKE_KINDS)[number];
