/**
 * pg-copy-streams ships `both` (COPY BOTH, used by START_REPLICATION), which
 * its published types omit.
 */
import type { Connection, Submittable } from 'pg';
import type { Duplex, DuplexOptions } from 'node:stream';

declare module 'pg-copy-streams' {
  export interface CopyBothOptions extends DuplexOptions {
    /** Push one CopyData payload per chunk (a replication message per read). */
    readonly alignOnCopyDataFrame?: boolean;
  }
  export class CopyBothQueryStream extends Duplex implements Submittable {
    text: string;
    submit(connection: Connection): void;
  }
  export function both(txt: string, options?: CopyBothOptions): CopyBothQueryStream;
}
