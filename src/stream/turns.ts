/**
 * One operation at a time on the applier (the stream loop's, the batch
 * timer's, the stop request's), in the order asked. An operation asked for
 * while nothing is queued runs at once, synchronously: most messages need no
 * I/O, and a promise per message was a measurable part of the follow's CPU.
 */
export class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Runs `fn` now if nothing is queued, else after what is; a promise only when it did not finish synchronously. */
  run(fn: () => Promise<void> | undefined): Promise<void> | undefined {
    if (this.queued === 0) {
      const result = fn();
      return result === undefined ? undefined : this.hold(result);
    }
    return this.hold(this.tail.then(fn));
  }

  /** For timers and callbacks: runs `fn` in turn and hands any failure, synchronous or not, to `fail`. */
  background(fn: () => Promise<void> | undefined, fail: (error: unknown) => void): void {
    try {
      this.run(fn)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  /** Resolves when everything asked so far has finished (failures included). */
  async idle(): Promise<void> {
    await this.tail;
  }

  private hold(work: Promise<void>): Promise<void> {
    this.queued++;
    const done = work.finally(() => {
      this.queued--;
    });
    this.tail = done.catch(() => undefined);
    return done;
  }
}
