/**
 * SipHash-2-4 as a WebAssembly module, for speed only: the Feistel rounds of
 * fpe-digits.ts (permuteHalves and unpermuteHalves: same rounds, same round
 * function, SipHash-2-4 of the same 8-byte message under the PRF's round8
 * key, same double arithmetic) and SipHash-2-4 (64 and 128 bits) of a byte
 * string, as siphash.ts computes them, so the same results bit for bit
 * (test/unit/sip-wasm.test.ts checks them against the JavaScript code).
 *
 * Why: a phone, digits or card mask runs 16 rounds per value (σ = π⁻¹∘(+1)∘π),
 * each one SipHash, and that was most of a masked sync's CPU. JavaScript has
 * no 64-bit integers, so each SipHash lane is a pair of int32 with carries
 * computed by hand; WebAssembly's i64 add/xor/rotl do one SipRound in a
 * quarter of the instructions, and all eight rounds run in one call.
 *
 * The module is assembled here, byte by byte, when first used: a few hundred
 * bytes of code, no binary file in the tree and no build step. Straight-line
 * code (rounds unrolled) keeps the assembler to plain opcodes.
 */

const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;

// Opcodes used below (WebAssembly core specification, section 5.4).
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  end: 0x0b,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f64Store: 0x39,
  i64Const: 0x42,
  f64Const: 0x44,
  f64Lt: 0x63,
  f64Ge: 0x66,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  i64Rotl: 0x89,
  f64Floor: 0x9c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  i64Add: 0x7c,
  i64ExtendI32U: 0xad,
  i64TruncF64U: 0xb1,
  f64ConvertI64U: 0xba,
} as const;

// Parameters of both functions: the halves, the string's length, the folded
// tweak, the round8 SipKey as four uint32, and 10^u, 10^v.
const A = 0;
const B = 1;
const N = 2;
const TWEAK16 = 3;
const K0L = 4;
const K0H = 5;
const K1L = 6;
const K1H = 7;
const MOD_U = 8;
const MOD_V = 9;
const PARAMS = [F64, F64, I32, I32, I32, I32, I32, I32, F64, F64];
// Locals after the parameters.
const V0 = 10;
const V1 = 11;
const V2 = 12;
const V3 = 13;
const M = 14;
const K0 = 15;
const K1 = 16;
const NT = 17;
const Y = 18;
const T = 19;
const LOCALS: ReadonlyArray<readonly [number, number]> = [
  [8, I64],
  [2, F64],
];

const ROUNDS = 8;
const INV_TWO_53 = 1 / 9007199254740992;

function uleb(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

function sleb64(value: bigint): number[] {
  const bytes: number[] = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

function sleb32(value: number): number[] {
  return sleb64(BigInt(value));
}

function f64Bytes(value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [...bytes];
}

function vec(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  return vec([...text].map((c) => [c.charCodeAt(0)]));
}

/** One function body's code. */
class Code {
  readonly bytes: number[] = [];
  get(local: number): this {
    this.bytes.push(op.localGet, ...uleb(local));
    return this;
  }
  set(local: number): this {
    this.bytes.push(op.localSet, ...uleb(local));
    return this;
  }
  tee(local: number): this {
    this.bytes.push(op.localTee, ...uleb(local));
    return this;
  }
  i64(value: bigint): this {
    this.bytes.push(op.i64Const, ...sleb64(value));
    return this;
  }
  f64(value: number): this {
    this.bytes.push(op.f64Const, ...f64Bytes(value));
    return this;
  }
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  /** local = local <op> (other local | constant). */
  update(local: number, code: number, operand: number | bigint): this {
    this.get(local);
    if (typeof operand === 'bigint') this.i64(operand);
    else this.get(operand);
    return this.op(code).set(local);
  }
  /** One SipRound on V0..V3. */
  sipRound(): this {
    return this.lanes(V0, V1, V2, V3);
  }
  /** One SipRound on HV0..HV3 (the byte-string hash's lanes). */
  hashRound(): this {
    return this.lanes(HV0, HV1, HV2, HV3);
  }
  private lanes(v0: number, v1: number, v2: number, v3: number): this {
    return this.update(v0, op.i64Add, v1)
      .update(v1, op.i64Rotl, 13n)
      .update(v1, op.i64Xor, v0)
      .update(v0, op.i64Rotl, 32n)
      .update(v2, op.i64Add, v3)
      .update(v3, op.i64Rotl, 16n)
      .update(v3, op.i64Xor, v2)
      .update(v0, op.i64Add, v3)
      .update(v3, op.i64Rotl, 21n)
      .update(v3, op.i64Xor, v0)
      .update(v2, op.i64Add, v1)
      .update(v1, op.i64Rotl, 17n)
      .update(v1, op.i64Xor, v2)
      .update(v2, op.i64Rotl, 32n);
  }
  /** i64 from two uint32 params: lo | hi << 32. */
  key(lo: number, hi: number, into: number): this {
    return this.get(lo).op(op.i64ExtendI32U).get(hi).op(op.i64ExtendI32U).i64(32n).op(op.i64Shl, op.i64Or).set(into);
  }
  /**
   * Y = floor(top53(SipHash-2-4(K0, K1; M)) / 2^53 * modulus), as
   * fpe-digits.ts computes it: the 8-byte message is one block, then the
   * length block (8 << 56), then finalization; top53 is the high word's top
   * 21 bits above the low word.
   */
  roundFunction(modulus: number): this {
    this.get(K0).i64(0x736f6d6570736575n).op(op.i64Xor).set(V0);
    this.get(K1).i64(0x646f72616e646f6dn).op(op.i64Xor).set(V1);
    this.get(K0).i64(0x6c7967656e657261n).op(op.i64Xor).set(V2);
    this.get(K1).i64(0x7465646279746573n).op(op.i64Xor).get(M).op(op.i64Xor).set(V3);
    this.sipRound().sipRound();
    this.update(V0, op.i64Xor, M);
    const lengthBlock = 8n << 56n;
    this.update(V3, op.i64Xor, lengthBlock);
    this.sipRound().sipRound();
    this.update(V0, op.i64Xor, lengthBlock);
    this.update(V2, op.i64Xor, 0xffn);
    this.sipRound().sipRound().sipRound().sipRound();
    // r = v0 ^ v1 ^ v2 ^ v3, kept in M.
    this.get(V0).get(V1).op(op.i64Xor).get(V2).op(op.i64Xor).get(V3).op(op.i64Xor).set(M);
    this.get(M).i64(43n).op(op.i64ShrU).i64(32n).op(op.i64Shl);
    this.get(M).i64(0xffffffffn).op(op.i64And).op(op.i64Or, op.f64ConvertI64U);
    return this.f64(INV_TWO_53).op(op.f64Mul).get(modulus).op(op.f64Mul, op.f64Floor).set(Y);
  }
  /** M = trunc(half) | NT | i << 40: fpe-digits.ts's round message (low word, then high word). */
  message(half: number, round: number): this {
    return this.get(half)
      .op(op.i64TruncF64U)
      .get(NT)
      .op(op.i64Or)
      .i64(BigInt(round) << 40n)
      .op(op.i64Or)
      .set(M);
  }
  prologue(): this {
    this.key(K0L, K0H, K0).key(K1L, K1H, K1);
    // The length (5 bits at 43) and the tweak (16 bits at 48) of every round's message.
    return this.get(N)
      .op(op.i64ExtendI32U)
      .i64(43n)
      .op(op.i64Shl)
      .get(TWEAK16)
      .op(op.i64ExtendI32U)
      .i64(48n)
      .op(op.i64Shl, op.i64Or)
      .set(NT);
  }
  /** memory f64[0] = A, f64[1] = B. */
  epilogue(): this {
    this.bytes.push(0x41, 0, op.localGet, A, op.f64Store, 3, 0);
    this.bytes.push(0x41, 0, op.localGet, B, op.f64Store, 3, 8);
    return this.op(op.end);
  }
}

// Memory layout: the Feistel halves (two f64) at 0, the hash output (two
// i64: out[0..1], then out[2..3] for 128 bits) at 16, the message from 64.
const HASH_OUT = 16;
const MESSAGE = 64;
/** Longest message hashed here (one 64 KiB page, less the header and a zeroed block after it); longer ones stay in JavaScript. */
export const WASM_MESSAGE_LIMIT = 65536 - MESSAGE - 8;

// Byte-string hash: params (len, k0l, k0h, k1l, k1h), then locals.
const LEN = 0;
const H_K0L = 1;
const H_K0H = 2;
const H_K1L = 3;
const H_K1H = 4;
const HASH_PARAMS = [I32, I32, I32, I32, I32];
const P = 5;
const END = 6;
const HASH_LOCALS: ReadonlyArray<readonly [number, number]> = [
  [2, I32],
  [8, I64],
];
// The i64 locals at the same indices as in the Feistel functions would not fit; these follow P and END.
const HV0 = 7;
const HV1 = 8;
const HV2 = 9;
const HV3 = 10;
const HM = 11;

/**
 * SipHash-2-4 of memory[MESSAGE, MESSAGE + len) (the caller zeroes the 8
 * bytes after it, so the last partial block loads as its tail bytes), 64 bits
 * to HASH_OUT, or with `wide` the 128-bit variant to HASH_OUT and HASH_OUT + 8.
 */
function hashBody(wide: boolean): number[] {
  const c = new Code();
  const init = (into: number, lo: number, hi: number, constant: bigint): void => {
    c.get(lo).op(op.i64ExtendI32U).get(hi).op(op.i64ExtendI32U).i64(32n).op(op.i64Shl, op.i64Or).i64(constant).op(op.i64Xor).set(into);
  };
  init(HV0, H_K0L, H_K0H, 0x736f6d6570736575n);
  init(HV1, H_K1L, H_K1H, wide ? 0x646f72616e646f6dn ^ 0xeen : 0x646f72616e646f6dn);
  init(HV2, H_K0L, H_K0H, 0x6c7967656e657261n);
  init(HV3, H_K1L, H_K1H, 0x7465646279746573n);
  const rounds = (n: number): void => {
    for (let i = 0; i < n; i++) c.hashRound();
  };
  const absorb = (): void => {
    c.update(HV3, op.i64Xor, HM);
    rounds(2);
    c.update(HV0, op.i64Xor, HM);
  };
  // P runs over the full blocks: [0, len & ~7).
  c.bytes.push(op.i32Const, 0);
  c.set(P);
  c.get(LEN).bytes.push(op.i32Const, ...sleb32(-8));
  c.op(op.i32And).set(END);
  c.op(op.block, 0x40, op.loop, 0x40);
  c.get(P).get(END).op(op.i32GeU, op.brIf, 1);
  c.get(P)
    .op(op.i64Load, 3, ...uleb(MESSAGE))
    .set(HM);
  absorb();
  c.get(P).bytes.push(op.i32Const, 8);
  c.op(op.i32Add).set(P);
  c.op(op.br, 0, op.end, op.end);
  // The last block: the tail bytes (zero padded) and the length's low byte on top.
  c.get(P)
    .op(op.i64Load, 3, ...uleb(MESSAGE))
    .get(LEN)
    .op(op.i64ExtendI32U)
    .i64(56n)
    .op(op.i64Shl, op.i64Or)
    .set(HM);
  absorb();
  c.update(HV2, op.i64Xor, wide ? 0xeen : 0xffn);
  rounds(4);
  const store = (offset: number): void => {
    c.bytes.push(op.i32Const, 0);
    c.get(HV0)
      .get(HV1)
      .op(op.i64Xor)
      .get(HV2)
      .op(op.i64Xor)
      .get(HV3)
      .op(op.i64Xor)
      .op(op.i64Store, 3, ...uleb(offset));
  };
  store(HASH_OUT);
  if (wide) {
    c.update(HV1, op.i64Xor, 0xddn);
    rounds(4);
    store(HASH_OUT + 8);
  }
  return c.op(op.end).bytes;
}

function modulusOf(round: number): number {
  return (round & 1) === 0 ? MOD_U : MOD_V;
}

/** permuteHalves: (a, b) -> (b, (a + F_i(b)) mod m_i) for i = 0..7. */
function permuteBody(): number[] {
  const c = new Code().prologue();
  for (let i = 0; i < ROUNDS; i++) {
    const modulus = modulusOf(i);
    c.message(B, i).roundFunction(modulus);
    // T = a + y; new b = T >= m ? T - m : T; a = b.
    c.get(A).get(Y).op(op.f64Add).set(T);
    c.get(T).get(modulus).op(op.f64Sub).get(T).get(T).get(modulus).op(op.f64Ge, op.select);
    c.get(B).set(A).set(B);
  }
  return c.epilogue().bytes;
}

/** unpermuteHalves: round i undone for i = 7..0: (a, b) -> ((b - F_i(a)) mod m_i, a). */
function unpermuteBody(): number[] {
  const c = new Code().prologue();
  for (let i = ROUNDS - 1; i >= 0; i--) {
    const modulus = modulusOf(i);
    c.message(A, i).roundFunction(modulus);
    c.get(B).get(Y).op(op.f64Sub).set(T);
    c.get(T).get(modulus).op(op.f64Add).get(T).get(T).f64(0).op(op.f64Lt, op.select);
    c.get(A).set(B).set(A);
  }
  return c.epilogue().bytes;
}

function moduleBytes(): Uint8Array {
  const type = [0x60, ...vec(PARAMS.map((t) => [t])), ...vec([])];
  const hashType = [0x60, ...vec(HASH_PARAMS.map((t) => [t])), ...vec([])];
  const declare = (locals: ReadonlyArray<readonly [number, number]>): number[] => vec(locals.map(([count, t]) => [...uleb(count), t]));
  const body = (code: number[], locals = LOCALS): number[] => {
    const content = [...declare(locals), ...code];
    return [...uleb(content.length), ...content];
  };
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type, hashType])),
    ...section(3, vec([[0], [0], [1], [1]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(
      7,
      vec([
        [...name('permute'), 0x00, 0],
        [...name('unpermute'), 0x00, 1],
        [...name('sip64'), 0x00, 2],
        [...name('sip128'), 0x00, 3],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(
      10,
      vec([body(permuteBody()), body(unpermuteBody()), body(hashBody(false), HASH_LOCALS), body(hashBody(true), HASH_LOCALS)]),
    ),
  ]);
}

/** (a, b, n, tweak16, k0l, k0h, k1l, k1h, 10^u, 10^v): the result halves go to `FeistelWasm.halves`. */
type Rounds = (
  a: number,
  b: number,
  n: number,
  tweak16: number,
  k0l: number,
  k0h: number,
  k1l: number,
  k1h: number,
  mu: number,
  mv: number,
) => void;

/** (len, k0l, k0h, k1l, k1h) of the message written to `SipWasm.message`: the result goes to `SipWasm.out`. */
type Hash = (len: number, k0l: number, k0h: number, k1l: number, k1h: number) => void;

export interface SipWasm {
  readonly permute: Rounds;
  readonly unpermute: Rounds;
  /** [a, b] after each permute / unpermute call. */
  readonly halves: Float64Array;
  readonly sip64: Hash;
  readonly sip128: Hash;
  /** Where a message to hash goes (WASM_MESSAGE_LIMIT bytes, then 8 that must be zero after it). */
  readonly message: Uint8Array;
  /** The last hash: out[0..1] (64 bits), out[0..3] (128 bits), as siphash.ts's `out`. */
  readonly out: Uint32Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { permute: Rounds; unpermute: Rounds; sip64: Hash; sip128: Hash; memory: { buffer: ArrayBuffer } };
  };
}

/**
 * The compiled module, or undefined where it cannot run (no WebAssembly, or
 * a big-endian host, where a Float64Array does not read what the module
 * stores little-endian): the JavaScript rounds are used there.
 */
export function sipWasm(): SipWasm | undefined {
  const compiled = assembled.compiled;
  return compiled !== null ? compiled : (assembled.compiled = compile());
}

/**
 * null: not compiled yet; one module per thread, shared by its users. Compiled
 * on the first hash, not on import: a sync that masks nothing never pays for
 * it. A const holder, not a module-level `let`, which V8 would check for its
 * temporal dead zone on every call from the hot masking functions.
 */
const assembled: { compiled: SipWasm | undefined | null } = { compiled: null };

function compile(): SipWasm | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!LITTLE_ENDIAN_HOST || api === undefined) return undefined;
  try {
    const { exports } = new api.Instance(new api.Module(moduleBytes()));
    const memory = exports.memory.buffer;
    return {
      permute: exports.permute,
      unpermute: exports.unpermute,
      halves: new Float64Array(memory, 0, 2),
      sip64: exports.sip64,
      sip128: exports.sip128,
      message: new Uint8Array(memory, MESSAGE, WASM_MESSAGE_LIMIT + 8),
      out: new Uint32Array(memory, HASH_OUT, 4),
    };
  } catch {
    return undefined;
  }
}
