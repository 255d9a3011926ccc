/** The masking threads of a load, started while the target is prepared. */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/index.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import { isLocalEndpoint } from '../pg/endpoint.js';
import { MaskPool } from '../mask/mask-pool.js';
import type { RunMasks } from '../mask/run-masks.js';

/** Masking threads beside the copying one, when some table is masked and `mask_workers` is not 0. */
export async function startMaskPool(masks: RunMasks, settings: Settings, endpoints: Endpoints): Promise<MaskPool | undefined> {
  const workers = settings.options.maskWorkers ?? defaultMaskWorkers(endpoints);
  if (masks.specs.length === 0 || masks.key === undefined || workers === 0) return undefined;
  return MaskPool.start({ workers, key: masks.key, strategiesModule: settings.strategiesModule, tables: masks.specs });
}

/**
 * The CPUs left once the copying thread and each server on this machine have
 * one. Where that leaves none, masking stays on the copying thread: with every
 * core already busy, a separate thread only adds its overhead (measured in
 * docs/performance.md).
 */
function defaultMaskWorkers(endpoints: Endpoints): number {
  const localServers = [endpoints.source, endpoints.target].filter(isLocalEndpoint).length;
  return Math.max(0, availableParallelism() - 1 - localServers);
}
