/**
 * A stream of pseudo-random numbers seeded with 128 PRF bits (xorshift128), for
 * outputs that need more choices than one hash provides (lorem text, postcode
 * patterns). The security rests on the seed, which is keyed; the stream only
 * spreads it, which is all these non-injective fillers need.
 */
export class SeededStream {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  constructor(seed: Uint32Array) {
    this.x = (seed[0] as number) | 0;
    this.y = (seed[1] as number) | 0;
    this.z = (seed[2] as number) | 0;
    this.w = (seed[3] as number) | 0;
    // The all-zero state is xorshift's one fixed point.
    if ((this.x | this.y | this.z | this.w) === 0) this.w = 1;
  }

  /** The next uint32. */
  next(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8));
    return this.w >>> 0;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return this.next() % bound;
  }
}
