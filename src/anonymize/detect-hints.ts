/**
 * What a column's name says about its content, for `pgtwin scan`. Names are
 * matched as lowercase words (`billingEmail`, `billing_email` and
 * `address2` become `billing email` and `address 2`), a few of them in other
 * languages than English. A hint names a kind and the words that gave it away,
 * for the evidence line; values and types then confirm or overrule it
 * (detect.ts).
 */
import type { TypeFamily } from './types.js';

export type HintKind =
  | 'email'
  | 'phone'
  | 'credit_card'
  | 'ssn'
  | 'national_id'
  | 'tax_id'
  | 'ip'
  | 'name'
  | 'first_name'
  | 'last_name'
  | 'company'
  | 'address'
  | 'city'
  | 'postcode'
  | 'birth_date'
  | 'username'
  | 'secret'
  | 'bank_account'
  | 'coordinates'
  | 'url'
  | 'license_plate'
  | 'free_text';

export interface NameHint {
  readonly kind: HintKind;
  /** What the name suggests, for the evidence: `a fax number`, `a company name`. */
  readonly label: string;
  readonly confidence: 'high' | 'medium';
}

interface HintRule {
  readonly kind: HintKind;
  readonly label: string;
  readonly pattern: RegExp;
  readonly confidence?: 'high' | 'medium';
}

/** `billingEmail` -> `billing email`; `address2` -> `address 2`; `ZIPCode` -> `zip code`. */
export function splitWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .toLowerCase()
    .trim();
}

// Order matters only for the label shown first; every matching rule counts.
const RULES: readonly HintRule[] = [
  { kind: 'email', label: 'an email address', pattern: /\be ?mail\b|\bemail addr|\bcorreo\b|\bcourriel\b/ },
  { kind: 'phone', label: 'a fax number', pattern: /\b(?:fax|telefax|facsimile)\b/ },
  {
    kind: 'phone',
    label: 'a phone number',
    pattern:
      /\b(?:phone|phone number|mobile|cell|cellphone|tel|telephone|msisdn|telefon|telefono|teléfono|telefone|téléphone|handy|portable)\b/,
  },
  {
    kind: 'credit_card',
    label: 'a card number',
    pattern: /\b(?:card (?:number|no|num)|cc (?:number|num|no)|credit card|pan)\b|\bcardnumber\b/,
  },
  { kind: 'ssn', label: 'a social security number', pattern: /\b(?:ssn|social security(?: number| no)?)\b/ },
  {
    kind: 'national_id',
    label: 'a national identifier',
    pattern:
      /\b(?:nin|nino|national (?:id|identifier|identification|identity|insurance)(?: number| no)?|sin|social insurance|personal (?:id|number|identity number)|personnummer|bsn|dni|nie|cpf|curp|aadhaar|id card|identity card|identity number|id number)\b/,
  },
  { kind: 'national_id', label: 'a passport number', pattern: /\bpassport\b/ },
  {
    kind: 'national_id',
    label: "a driver's licence number",
    pattern:
      /\b(?:driver'?s? licen[cs]e|driving licen[cs]e|drivers? licen[cs]e|dl (?:number|no)|licen[cs]e (?:number|no))\b|\bfuehrerschein|führerschein/,
  },
  {
    kind: 'tax_id',
    label: 'a tax identifier',
    pattern:
      /\b(?:tax (?:id|identifier|number|no|code)|tin|itin|ein|vat(?: id| number| no| reg(?:istration)?)?|fiscal code|codice fiscale|steuer ?(?:id|nummer)|steuernummer|ust id|nif|siren|siret|abn|gstin)\b/,
  },
  { kind: 'ip', label: 'an IP address', pattern: /\b(?:ip|ip addr(?:ess)?|ipaddr|remote addr|client ip)\b/ },
  {
    kind: 'first_name',
    label: 'a first name',
    pattern: /\b(?:first name|firstname|given name|givenname|forename|fname|middle name|vorname|prenom|prénom|nombre de pila)\b/,
  },
  {
    kind: 'last_name',
    label: 'a last name',
    pattern: /\b(?:last name|lastname|surname|family name|familyname|lname|maiden name|nachname|familienname|apellidos?|nom de famille)\b/,
  },
  {
    kind: 'company',
    label: 'a company name',
    pattern:
      /\b(?:company|companies|organi[sz]ation|org name|employer|firm|business name|corporation|legal name|trading name|firma|empresa|entreprise|societe|société|werkgever|arbeitgeber)\b/,
  },
  {
    kind: 'address',
    label: 'a street address',
    pattern:
      /\b(?:address|addr|street|street address|address line|addr line|strasse|straße|anschrift|adresse|direccion|dirección|indirizzo|calle|rue)\b/,
  },
  { kind: 'city', label: 'a city', pattern: /\b(?:city|town|stadt|ciudad|ville|citta|città|cidade|municipality)\b/ },
  {
    kind: 'postcode',
    label: 'a postal code',
    pattern:
      /\b(?:zip|zipcode|zip code|post ?code|postal code|postal|postcode|plz|postleitzahl|eircode|codigo postal|código postal|code postal|cap|cep)\b/,
  },
  {
    kind: 'birth_date',
    label: 'a birth date',
    pattern: /\b(?:dob|birth|birthday|birthdate|date of birth|born|geburtsdatum|fecha de nacimiento)\b/,
  },
  {
    kind: 'username',
    label: 'a user name or login',
    pattern:
      /\b(?:username|user name|login|login name|logon|screen name|screenname|handle|nickname|nick|user login|benutzername|usuario)\b/,
  },
  { kind: 'secret', label: 'a secret', pattern: /\b(?:password|passwd|pwd|secret|token|api key|apikey|salt|otp|passwort|contraseña)\b/ },
  {
    kind: 'bank_account',
    label: 'a bank account',
    pattern: /\b(?:iban|bban|bic|swift|(?:bank )?account (?:number|no|num)|bank account|routing number|sort code|kontonummer|bsb)\b/,
  },
  {
    kind: 'coordinates',
    label: 'a coordinate',
    pattern:
      /\b(?:lat|latitude|lng|lon|longitude|coordinates?|coords?|geo ?location|gps|latlng|latlon|lat lng|lat lon|geom|geog|geometry|geography)\b/,
  },
  {
    kind: 'url',
    label: 'a personal web address',
    pattern:
      /\b(?:website|web site|homepage|home page|profile (?:url|link)|personal (?:url|site|website)|linkedin|twitter|facebook|instagram|github|tiktok|youtube|mastodon|social (?:url|link|profile|media)|blog (?:url|link)|avatar|(?:photo|picture|portrait) (?:url|path|link|file))\b/,
  },
  {
    kind: 'license_plate',
    label: 'a license plate',
    pattern:
      /\b(?:licen[cs]e plate|number plate|plate|plate (?:number|no)|registration (?:number|plate)|vehicle registration|vrn|kenteken|kennzeichen|nummernschild|matricula|matrícula|immatriculation|targa)\b/,
  },
  {
    kind: 'free_text',
    label: 'free text',
    pattern:
      /\b(?:notes?|comments?|remarks?|description|desc|bio|biography|about|message|body|memo|feedback|observations?|annotations?|details|summary|anmerkung|bemerkung|kommentar|notizen?|comentarios?|observaciones)\b/,
    confidence: 'medium',
  },
];

/** A person's full name: `name` qualified by who it belongs to, or a word that is a person by itself. */
const PERSON_NAME =
  /\b(?:full|display|contact|customer|client|person|recipient|addressee|billing|shipping|ship|ship to|holder|card holder|cardholder|account holder|owner|patient|member|employee|staff|guest|passenger|driver|beneficiary|spouse|parent|mother|father|emergency contact|legal guardian|guardian|sender|signatory|attention|attn|applicant|candidate|tenant|buyer|seller|author|reviewer|student|teacher|user full|real)\s?name\b|^(?:fullname|displayname|contact person|recipient|addressee|attn|nombre completo|nom complet)$/;
/** Qualifiers that make `... address` something other than a street address. */
const NOT_STREET =
  /\b(?:e ?mail|ip|mac|web|url|wallet|bitcoin|btc|eth|contract|host|server|memory|hardware|node|broadcast|return|reply|sender|recipient)\b|\bname\b/;
/** A trailing word that makes the column a key, a count or a flag about the thing, not the thing. */
const NOT_VALUE =
  /\b(?:id|ids|uuid|key|type|types|count|status|flag|enabled|verified|confirmed|at|date|time|ts|format|template|visibility|private|public|required|policy|mask|hash|salt)$/;
/** Kinds read from text values only: on another type the name means something else (`company_id integer`). */
const TEXT_ONLY: ReadonlySet<HintKind> = new Set([
  'name',
  'first_name',
  'last_name',
  'company',
  'address',
  'city',
  'username',
  'url',
  'free_text',
  'email',
  'license_plate',
]);
/** Persons by table name, for a bare `name` column. */
const PERSON_TABLE =
  /\b(?:users?|persons?|people|customers?|clients?|contacts?|employees?|staff|members?|patients?|students?|teachers?|accounts?|authors?|guests?|passengers?|drivers?|applicants?|candidates?|tenants?|owners?|subscribers?|profiles?|leads?|donors?|volunteers?|beneficiar(?:y|ies)|individuals?)$/;

/**
 * Hints from the column name (and, for a bare `name`, the table name). `family`
 * rules out hints that only make sense on text, so `company_id integer` and
 * `last_login timestamptz` say nothing.
 */
export function nameHints(column: string, family: TypeFamily, table?: string): NameHint[] {
  const words = splitWords(column);
  const hints: NameHint[] = [];
  const notValue =
    NOT_VALUE.test(words) && !/\b(?:tax|vat|national|personal|id card|passport|postal|zip|post) (?:id|code|number)$/.test(words);
  for (const rule of RULES) {
    if (!rule.pattern.test(words)) continue;
    if (TEXT_ONLY.has(rule.kind) && (family !== 'text' || notValue)) continue;
    if (rule.kind === 'address' && NOT_STREET.test(words)) continue;
    if (rule.kind === 'username' && /\b(?:last|first|failed|latest|recent) login\b|\blogin (?:count|attempts?|at|time|date)\b/.test(words))
      continue;
    if (rule.kind === 'coordinates' && !coordinateFamily(family, words)) continue;
    if (rule.kind === 'credit_card' && /\bpan\b/.test(words) && !/\b(?:card|pan number|pan no)\b/.test(words) && words !== 'pan') continue;
    if (hints.some((h) => h.kind === rule.kind)) continue;
    hints.push({ kind: rule.kind, label: rule.label, confidence: rule.confidence ?? 'high' });
  }
  if (
    family === 'text' &&
    !notValue &&
    !hints.some((h) => h.kind === 'first_name' || h.kind === 'last_name' || h.kind === 'username' || h.kind === 'company')
  ) {
    if (PERSON_NAME.test(words)) hints.unshift({ kind: 'name', label: "a person's name", confidence: 'high' });
    else if (words === 'name' && table !== undefined && PERSON_TABLE.test(splitWords(table)))
      hints.unshift({ kind: 'name', label: `a person's name (in table \`${table}\`)`, confidence: 'medium' });
  }
  // A person's name column is not also an address (`contact_name`, `address_name`, `ship_name`).
  if (hints.some((h) => h.kind === 'name' || h.kind === 'first_name' || h.kind === 'last_name'))
    return hints.filter((h) => h.kind !== 'address' && h.kind !== 'city');
  return hints;
}

/** Coordinates live in numbers, text, or point/geometry types; `long_description` is not one. */
function coordinateFamily(family: TypeFamily, words: string): boolean {
  if (family === 'numeric' || family === 'integer') return true;
  if (family === 'other') return true;
  if (family === 'text') return /\b(?:lat|latitude|lng|lon|longitude|latlng|latlon|lat lng|lat lon|coordinates?|coords?|gps)\b/.test(words);
  return false;
}

/** The first kind a JSON key suggests, for paths inside documents. */
export function keyHint(key: string): HintKind | undefined {
  return nameHints(key, 'text')[0]?.kind;
}
