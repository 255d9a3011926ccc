import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { sipHashBytes, sipHashString, sipHashWords, sipKeyFromBytes } from '../../src/anonymize/siphash.js';

// Official SipHash-2-4 test vectors (github.com/veorq/SipHash, vectors.h):
// key 00 01 .. 0f, message 00 01 .. (len-1), output bytes little-endian.
const SIP64 = [
  '310e0edd47db6f72',
  'fd67dc93c539f874',
  '5a4fa9d909806c0d',
  '2d7efbd796666785',
  'b7877127e09427cf',
  '8da699cd64557618',
  'cee3fe586e46c9cb',
  '37d1018bf50002ab',
  '6224939a79f5f593',
  'b0e4a90bdf82009e',
  'f3b9dd94c5bb5d7a',
  'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75',
  '903d84c02756ea14',
  'eef27a8e90ca23f7',
  'e545be4961ca29a1',
  'db9bc2577fcc2a3f',
  '9447be2cf5e99a69',
  '9cd38d96f0b3c14b',
  'bd6179a71dc96dbb',
  '98eea21af25cd6be',
  'c7673b2eb0cbf2d0',
  '883ea3e395675393',
  'c8ce5ccd8c030ca8',
  '94af49f6c650adb8',
  'eab8858ade92e1bc',
  'f315bb5bb835d817',
  'adcf6b0763612e2f',
  'a5c91da7acaa4dde',
  '716595876650a2a6',
  '28ef495c53a387ad',
  '42c341d8fa92d832',
  'ce7cf2722f512771',
  'e37859f94623f3a7',
  '381205bb1ab0e012',
  'ae97a10fd434e015',
  'b4a31508beff4d31',
  '81396229f0907902',
  '4d0cf49ee5d4dcca',
  '5c73336a76d8bf9a',
  'd0a704536ba93e0e',
  '925958fcd6420cad',
  'a915c29bc8067318',
  '952b79f3bc0aa6d4',
  'f21df2e41d4535f9',
  '87577519048f53a9',
  '10a56cf5dfcd9adb',
  'eb75095ccd986cd0',
  '51a9cb9ecba312e6',
  '96afadfc2ce666c7',
  '72fe52975a4364ee',
  '5a1645b276d592a1',
  'b274cb8ebf87870a',
  '6f9bb4203de7b381',
  'eaecb2a30b22a87f',
  '9924a43cc1315724',
  'bd838d3aafbf8db7',
  '0b1a2a3265d51aea',
  '135079a3231ce660',
  '932b2846e4d70666',
  'e1915f5cb1eca46c',
  'f325965ca16d629f',
  '575ff28e60381be5',
  '724506eb4c328a95',
];

// SipHash-2-4 with 128-bit output, same key and messages, lengths 0-16 and 63.
const SIP128: Readonly<Record<number, string>> = {
  0: 'a3817f04ba25a8e66df67214c7550293',
  1: 'da87c1d86b99af44347659119b22fc45',
  2: '8177228da4a45dc7fca38bdef60affe4',
  3: '9c70b60c5267a94e5f33b6b02985ed51',
  4: 'f88164c12d9c8faf7d0f6e7c7bcd5579',
  5: '1368875980776f8854527a07690e9627',
  6: '14eeca338b208613485ea0308fd7a15e',
  7: 'a1f1ebbed8dbc153c0b84aa61ff08239',
  8: '3b62a9ba6258f5610f83e264f31497b4',
  9: '264499060ad9baabc47f8b02bb6d71ed',
  10: '00110dc378146956c95447d3f3d0fbba',
  11: '0151c568386b6677a2b4dc6f81e5dc18',
  12: 'd626b266905ef35882634df68532c125',
  13: '9869e247e9c08b10d029934fc4b952f7',
  14: '31fcefac66d7de9c7ec7485fe4494902',
  15: '5493e99933b0a8117e08ec0f97cfc3d9',
  16: '6ee2a4ca67b054bbfd3315bf85230577',
  63: '5150d1772f50834a503e069a973fbd7c',
};

const KEY = sipKeyFromBytes(Uint8Array.from({ length: 16 }, (_, i) => i));

/** out words as little-endian bytes in hex (the vectors' byte order). */
function hexOf(out: Uint32Array, words: number): string {
  return Buffer.from(out.buffer, out.byteOffset, words * 4).toString('hex');
}

function message(len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => i);
}

describe('SipHash-2-4', () => {
  it('matches the official 64-bit vectors for every length 0-63', () => {
    const out = new Uint32Array(4);
    SIP64.forEach((expected, len) => {
      sipHashBytes(KEY, message(len), out);
      assert.equal(hexOf(out, 2), expected, `length ${len}`);
    });
  });

  it('matches the official 128-bit vectors', () => {
    const out = new Uint32Array(4);
    for (const [len, expected] of Object.entries(SIP128)) {
      sipHashBytes(KEY, message(Number(len)), out, true);
      assert.equal(hexOf(out, 4), expected, `length ${len}`);
    }
  });

  it('hashes a string as its UTF-8 bytes (ASCII fast path and the general path agree)', () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.boolean(), (text, wide) => {
        sipHashString(KEY, text, a, wide);
        sipHashBytes(KEY, new TextEncoder().encode(text), b, wide);
        assert.deepEqual(a, b);
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes the ASCII vectors through the string path too', () => {
    const out = new Uint32Array(4);
    // Bytes 0..63 are ASCII code units, so the string path must give the same vectors.
    SIP64.forEach((expected, len) => {
      sipHashString(KEY, String.fromCharCode(...message(len)), out);
      assert.equal(hexOf(out, 2), expected, `length ${len}`);
    });
  });

  it('hashes long values that outgrow the scratch buffer', () => {
    const text = 'é'.repeat(5000) + 'x'.repeat(3000);
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    sipHashString(KEY, text, a, true);
    sipHashBytes(KEY, Buffer.from(text, 'utf8'), b, true);
    assert.deepEqual(a, b);
  });

  it('hashes four words as their 16 little-endian bytes', () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffffffff }), { minLength: 4, maxLength: 4 }), (w) => {
        sipHashWords(KEY, w[0] as number, w[1] as number, w[2] as number, w[3] as number, a);
        const bytes = Buffer.alloc(16);
        w.forEach((word, i) => bytes.writeUInt32LE(word, i * 4));
        sipHashBytes(KEY, bytes, b);
        assert.equal(a[0], b[0]);
        assert.equal(a[1], b[1]);
      }),
    );
  });
});
