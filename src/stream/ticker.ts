/**
 * The periodic duties of one loop on a single timer: each duty runs at its
 * own interval, checked as often as the shortest one needs. A timer, not the
 * loop's own turn, because some duties (the status report that keeps the
 * walsender from timing out) must happen while the loop waits on a long step.
 */
export class Ticker {
  private readonly duties: Array<{ readonly intervalMs: number; dueAt: number; readonly run: () => void }> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private periodMs = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  every(intervalMs: number, run: () => void): this {
    this.duties.push({ intervalMs, dueAt: 0, run });
    return this;
  }

  start(): void {
    if (this.timer !== undefined || this.duties.length === 0) return;
    this.periodMs = Math.min(...this.duties.map((d) => d.intervalMs));
    const now = this.now();
    for (const duty of this.duties) duty.dueAt = now + duty.intervalMs;
    this.timer = setInterval(() => this.tick(), this.periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = this.now();
    for (const duty of this.duties) {
      // Half a period early still counts: the timer's ticks and the clock drift apart by a fraction of a millisecond.
      if (now < duty.dueAt - this.periodMs / 2) continue;
      duty.dueAt = now + duty.intervalMs;
      duty.run();
    }
  }
}
