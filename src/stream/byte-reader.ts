/**
 * A bounds-checked cursor over one binary protocol message (big-endian, as the
 * PostgreSQL wire protocol is). Every read names the field it reads, so a
 * truncated or misaligned message fails with "what, where" and never with the
 * bytes themselves: those are row data, and row data is personal data.
 */

/** Builds the error for a message that does not fit its layout; `offset` is where reading failed. */
export type DecodeFailure = (problem: string, offset: number) => Error;

const NUL = 0x00;

/** A message tag for error messages: the letter when printable, hex otherwise (a tag is never row data). */
export function describeTag(tag: number): string {
  return tag >= 0x20 && tag < 0x7f ? `'${String.fromCharCode(tag)}'` : `0x${tag.toString(16).padStart(2, '0')}`;
}

export class ByteReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly fail: DecodeFailure,
  ) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf.readUInt8(this.pos++);
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  i32(field: string): number {
    this.need(4, field);
    const value = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  /** Unsigned 64-bit: WAL positions. */
  u64(field: string): bigint {
    this.need(8, field);
    const value = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Signed 64-bit: timestamps (microseconds since 2000-01-01, negative before it). */
  i64(field: string): bigint {
    this.need(8, field);
    const value = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A NUL-terminated UTF-8 string; the terminator is consumed. */
  cstring(field: string): string {
    const end = this.buf.indexOf(NUL, this.pos);
    if (end === -1) throw this.fail(`${field} has no terminating NUL byte`, this.pos);
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return value;
  }

  /** `length` bytes decoded as UTF-8, exactly as sent. */
  utf8(length: number, field: string): string {
    this.need(length, field);
    let value: string;
    try {
      value = this.buf.toString('utf8', this.pos, this.pos + length);
    } catch {
      // V8 caps strings near 512 MiB; a text value larger than that cannot be held.
      throw this.fail(`${field} (${length} bytes) is too large to hold as a string`, this.pos);
    }
    this.pos += length;
    return value;
  }

  /**
   * `length` bytes as a view into the message, not a copy: callers that keep
   * the bytes past the current message must copy them.
   */
  bytes(length: number, field: string): Buffer {
    this.need(length, field);
    const value = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    const value = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return value;
  }

  /** Trailing bytes mean the layout assumed here is not the one the server used. */
  end(what: string): void {
    if (this.pos !== this.buf.length)
      throw this.fail(`${this.buf.length - this.pos} unexpected byte(s) after the end of ${what}`, this.pos);
  }

  /** The error for a problem the caller found in what it read (a bad marker, an unknown kind). */
  failAt(problem: string, offset: number): Error {
    return this.fail(problem, offset);
  }

  private need(length: number, field: string): void {
    if (length < 0) throw this.fail(`${field} has a negative length (${length})`, this.pos);
    if (this.buf.length - this.pos < length) {
      throw this.fail(`truncated: ${field} needs ${length} byte(s), ${this.buf.length - this.pos} left`, this.pos);
    }
  }
}
