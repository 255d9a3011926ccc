/**
 * Resources acquired during a run, released in reverse order of acquisition
 * whatever happens. Release failures are collected, never allowed to hide the
 * error that caused the unwinding.
 */
export class ResourceScope {
  private readonly releases: Array<{ label: string; release: () => Promise<unknown> | unknown }> = [];

  /** Registers a resource and returns it, so acquisition reads as one line. */
  add<T>(resource: T, release: (resource: T) => Promise<unknown> | unknown, label = 'resource'): T {
    this.releases.push({ label, release: () => release(resource) });
    return resource;
  }

  defer(release: () => Promise<unknown> | unknown, label = 'cleanup'): void {
    this.releases.push({ label, release });
  }

  async close(): Promise<string[]> {
    const problems: string[] = [];
    while (this.releases.length > 0) {
      const entry = this.releases.pop();
      if (entry === undefined) break;
      try {
        await entry.release();
      } catch (error) {
        problems.push(`${entry.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return problems;
  }
}

/** Runs fn with a fresh scope that is closed when fn settles. */
export async function withScope<T>(fn: (scope: ResourceScope) => Promise<T>): Promise<T> {
  const scope = new ResourceScope();
  try {
    return await fn(scope);
  } finally {
    await scope.close();
  }
}
