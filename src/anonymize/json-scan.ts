/**
 * Finds the values at given paths in a JSON text without building the document,
 * so everything the rules do not name is copied byte for byte: numbers keep
 * their exact digits (JSON.parse would round 12345678901234567890), json (not
 * jsonb) values keep their whitespace and key order.
 */
import type { PathSegment } from './json-path.js';

export interface JsonHit {
  /** Index of the matching path. */
  readonly path: number;
  readonly start: number;
  readonly end: number;
  readonly kind: 'string' | 'number' | 'literal' | 'null' | 'object' | 'array';
}

// Sticky: matches exactly at lastIndex, without slicing the text.
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  pos = 0;
  readonly hits: JsonHit[] = [];

  constructor(
    private readonly text: string,
    private readonly paths: readonly (readonly PathSegment[])[],
  ) {}

  fail(what: string): never {
    throw new Error(`the value is not valid JSON (${what} at offset ${this.pos})`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  /**
   * Scans one value. `active` holds [path, depth] pairs that match up to here;
   * a path matched to its end claims the value (nested paths inside it are moot).
   */
  value(active: readonly (readonly [number, number])[]): void {
    this.skipSpace();
    const start = this.pos;
    let done: readonly [number, number] | undefined;
    for (const entry of active) {
      if (entry[1] === (this.paths[entry[0]] as readonly PathSegment[]).length) {
        done = entry;
        break;
      }
    }
    const c = this.text[this.pos];
    let kind: JsonHit['kind'];
    if (c === '{') {
      kind = 'object';
      this.object(done === undefined ? active : []);
    } else if (c === '[') {
      kind = 'array';
      this.array(done === undefined ? active : []);
    } else if (c === '"') {
      kind = 'string';
      this.string();
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      kind = 'number';
      NUMBER.lastIndex = this.pos;
      if (!NUMBER.test(this.text)) this.fail('bad number');
      this.pos = NUMBER.lastIndex;
    } else if (this.text.startsWith('true', this.pos) || this.text.startsWith('false', this.pos)) {
      kind = 'literal';
      this.pos += this.text.startsWith('true', this.pos) ? 4 : 5;
    } else if (this.text.startsWith('null', this.pos)) {
      kind = 'null';
      this.pos += 4;
    } else {
      this.fail('unexpected character');
    }
    if (done !== undefined) this.hits.push({ path: done[0], start, end: this.pos, kind });
  }

  string(): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        return;
      }
      this.pos += c === 92 ? 2 : 1;
    }
    this.fail('unterminated string');
  }

  /** The decoded key whose quoted text starts at `start` and ends before `pos`. */
  private key(start: number): string {
    const raw = this.text.slice(start + 1, this.pos - 1);
    return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  private step(active: readonly (readonly [number, number])[], matches: (segment: PathSegment) => boolean): [number, number][] {
    const next: [number, number][] = [];
    for (const [p, depth] of active) {
      const segment = (this.paths[p] as readonly PathSegment[])[depth];
      if (segment !== undefined && matches(segment)) next.push([p, depth + 1]);
    }
    return next;
  }

  object(active: readonly (readonly [number, number])[]): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const keyStart = this.pos;
      this.string();
      const key = active.length === 0 ? '' : this.key(keyStart);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('expected `:`');
      this.pos++;
      this.value(active.length === 0 ? active : this.step(active, (s) => s.kind === 'any' || (s.kind === 'key' && s.key === key)));
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === '}') return;
      if (sep !== ',') this.fail('expected `,` or `}`');
    }
  }

  array(active: readonly (readonly [number, number])[]): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.value(active.length === 0 ? active : this.step(active, (s) => s.kind === 'any' || (s.kind === 'index' && s.index === index)));
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === ']') return;
      if (sep !== ',') this.fail('expected `,` or `]`');
    }
  }
}

/** Every value of `text` that one of `paths` names, in document order. Throws on invalid JSON. */
export function findJsonPaths(text: string, paths: readonly (readonly PathSegment[])[]): JsonHit[] {
  const scanner = new Scanner(text, paths);
  scanner.value(paths.map((_, i) => [i, 0] as const));
  scanner.skipSpace();
  if (scanner.pos !== text.length) scanner.fail('trailing characters');
  return scanner.hits;
}
