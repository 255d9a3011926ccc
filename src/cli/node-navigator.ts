/**
 * Node 20 has no global `navigator` (Node 21 added one). Without it, the `pg`
 * driver tells Node from a Cloudflare Worker by constructing a fetch
 * `Response`, which loads Node's bundled undici (fetch, streams, WebSocket):
 * 20–40% of loading `pg`, on every command that connects, for an answer
 * (not a Worker) the process already knows. Giving Node 20 the navigator
 * Node 21 and later define (`userAgent` "Node.js/<major>") answers the probe
 * the way those versions do. The CLI's process only: the library never
 * changes globals of the program that imports it.
 */
export function provideNodeNavigator(): void {
  if ('navigator' in globalThis) return;
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({ userAgent: `Node.js/${process.versions.node.split('.')[0] ?? ''}` }),
    configurable: true,
    enumerable: false,
    writable: true,
  });
}
