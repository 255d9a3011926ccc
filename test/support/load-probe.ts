/**
 * Loaded with `--import` into a pgtwin process by test/integration/startup-cost.test.ts:
 * at exit, writes to stderr one line `load-probe {...}` saying whether Node's
 * bundled undici (fetch) was loaded and how many WebAssembly modules were compiled;
 * with PGTWIN_LOAD_PROBE_LOG set, every module resolved is listed in that file.
 */
import { register } from 'node:module';

register('./load-hooks.mjs', import.meta.url);
// The project's TypeScript libraries carry no WebAssembly types: the one constructor used, by hand.
const api = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
let compiled = 0;
api.Module = new Proxy(api.Module, {
  construct(target, args: [Uint8Array]) {
    compiled++;
    return new target(...args);
  },
});

process.on('exit', () => {
  const undici = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => m.includes('undici'));
  process.stderr.write(`load-probe ${JSON.stringify({ undici, compiled })}\n`);
});
