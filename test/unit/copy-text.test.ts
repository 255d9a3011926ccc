import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { countRows, decodeField, encodeField } from '../../src/pg/copy-text.js';

/** Decodes a whole buffer given as a latin1/ASCII string of raw COPY bytes. */
function decodeRaw(raw: string | Buffer): string | null {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return decodeField(buf, 0, buf.length);
}

function roundTrip(value: string | null): string | null {
  return decodeRaw(encodeField(value));
}

/** Strings rich in the characters COPY text treats specially, plus any code point. */
const copyValue: fc.Arbitrary<string | null> = fc.option(
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('\t', '\n', '\r', '\\', '\b', '\f', '\v', 'N', '.', '\u0000', '\u0001', 'é', '€', '😀'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 20,
  }),
  { freq: 5 },
);

describe('decodeField', () => {
  it('reads \\N as NULL and the empty field as the empty string', () => {
    assert.equal(decodeRaw('\\N'), null);
    assert.equal(decodeRaw(''), '');
  });

  it('reads an escaped backslash before N as the literal text \\N', () => {
    assert.equal(decodeRaw('\\\\N'), '\\N');
    assert.equal(decodeRaw('\\N\\N'), 'NN');
    assert.equal(decodeRaw('a\\N'), 'aN');
  });

  it('decodes every letter escape', () => {
    assert.equal(decodeRaw('\\b\\f\\n\\r\\t\\v\\\\'), '\b\f\n\r\t\v\\');
    assert.equal(decodeRaw('x\\ty\\nz'), 'x\ty\nz');
  });

  it('takes any other escaped character literally', () => {
    assert.equal(decodeRaw('\\q\\.\\a\\"\\é'), 'q.a"é');
  });

  it('decodes octal escapes of one to three digits', () => {
    assert.equal(decodeRaw('\\101'), 'A');
    assert.equal(decodeRaw('\\1012'), 'A2');
    assert.equal(decodeRaw('\\12'), '\n');
    assert.equal(decodeRaw('\\7x'), '\u0007x');
    assert.equal(decodeRaw('\\0'), '\u0000');
    assert.equal(decodeRaw('\\18'), '\u00018');
  });

  it('keeps the low byte of an octal escape above 255, as PostgreSQL does', () => {
    assert.equal(decodeRaw('\\501'), 'A');
  });

  it('decodes hex escapes of one or two digits', () => {
    assert.equal(decodeRaw('\\x41'), 'A');
    assert.equal(decodeRaw('\\x4a'), 'J');
    assert.equal(decodeRaw('\\x4A'), 'J');
    assert.equal(decodeRaw('\\x9g'), '\tg');
    assert.equal(decodeRaw('\\x414'), 'A4');
  });

  it('reads \\x without a hex digit as a plain x', () => {
    assert.equal(decodeRaw('\\xg'), 'xg');
    assert.equal(decodeRaw('\\x'), 'x');
  });

  it('assembles multi-byte UTF-8 characters from octal and hex escapes', () => {
    assert.equal(decodeRaw('caf\\303\\251'), 'café');
    assert.equal(decodeRaw('\\xe2\\x82\\xac'), '€');
    assert.equal(decodeRaw('\\360\\x9f\\230\\x80!'), '😀!');
    // An escaped lead byte may combine with raw continuation bytes.
    assert.equal(decodeRaw(Buffer.concat([Buffer.from('\\303'), Buffer.from([0xa9])])), 'é');
  });

  it('drops a backslash that ends the field, as PostgreSQL does at the end of a line', () => {
    assert.equal(decodeRaw('ab\\'), 'ab');
  });

  it('decodes only the requested byte range of a larger buffer', () => {
    const buf = Buffer.from('1\tcaf\\303\\251\\tx\t\\N\tplain é\n', 'utf8');
    const fields: Array<string | null> = [];
    let start = 0;
    for (let tab = buf.indexOf(0x09); ; tab = buf.indexOf(0x09, start)) {
      const end = tab === -1 ? buf.length - 1 : tab;
      fields.push(decodeField(buf, start, end));
      if (tab === -1) break;
      start = tab + 1;
    }
    assert.deepEqual(fields, ['1', 'café\tx', null, 'plain é']);
  });

  it('passes non-ASCII bytes through unescaped', () => {
    assert.equal(decodeRaw('日本語 ☃ 😀'), '日本語 ☃ 😀');
  });
});

describe('encodeField', () => {
  it('writes NULL as \\N and keeps the empty string empty', () => {
    assert.equal(encodeField(null), '\\N');
    assert.equal(encodeField(''), '');
  });

  it('escapes the literal text \\N so it does not read back as NULL', () => {
    assert.equal(encodeField('\\N'), '\\\\N');
    assert.equal(roundTrip('\\N'), '\\N');
  });

  it('escapes backslash, tab, newline, carriage return, backspace, form feed and vertical tab', () => {
    assert.equal(encodeField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    assert.equal(encodeField('\b\f\v'), '\\b\\f\\v');
  });

  it('leaves other control characters and non-ASCII as they are', () => {
    assert.equal(encodeField('\u0001\u0007\u001f\u007f'), '\u0001\u0007\u001f\u007f');
    assert.equal(encodeField('Zoë 😀 ☃'), 'Zoë 😀 ☃');
    assert.equal(encodeField('plain'), 'plain');
  });

  it('round-trips tabs, newlines, backslashes and non-ASCII', () => {
    for (const value of ['\t', '\n\n', '\\', '\\\\N', 'tab\there', 'é\\t', ' ', '😀\r\n']) {
      assert.equal(roundTrip(value), value);
    }
  });

  it('never emits a raw TAB or LF, so fields and rows stay splittable', () => {
    fc.assert(
      fc.property(copyValue, (value) => {
        const encoded = encodeField(value);
        assert.ok(!encoded.includes('\t') && !encoded.includes('\n'));
      }),
    );
  });

  it('decode(encode(value)) is the value, for any string or NULL', () => {
    fc.assert(
      fc.property(copyValue, (value) => assert.equal(roundTrip(value), value)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' })), (value) => assert.equal(roundTrip(value), value)),
      { numRuns: 1000 },
    );
  });
});

describe('countRows', () => {
  it('counts LF bytes', () => {
    assert.equal(countRows(Buffer.alloc(0)), 0);
    assert.equal(countRows(Buffer.from('no newline')), 0);
    assert.equal(countRows(Buffer.from('a\n')), 1);
    assert.equal(countRows(Buffer.from('\n\n\n')), 3);
    assert.equal(countRows(Buffer.from('1\ta\\nb\n2\tc\n3')), 2);
  });

  it('matches a byte-by-byte count on any buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const expected = bytes.reduce((n, b) => (b === 0x0a ? n + 1 : n), 0);
        assert.equal(countRows(Buffer.from(bytes)), expected);
      }),
    );
  });

  it('counts one row per encoded row', () => {
    fc.assert(
      fc.property(fc.array(fc.array(copyValue, { minLength: 1, maxLength: 4 }), { maxLength: 20 }), (rows) => {
        const text = rows.map((row) => row.map(encodeField).join('\t') + '\n').join('');
        assert.equal(countRows(Buffer.from(text, 'utf8')), rows.length);
      }),
    );
  });
});
