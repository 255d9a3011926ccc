/** Archive stores: where capture puts masked files and apply reads them (docs/archive-stores.md). */
export type { ArchiveStore, SpoolFile, StoredFile } from './store.js';
export { ArchiveStoreError } from './errors.js';
export type { RetryPolicy } from './retry.js';
export {
  openStore,
  openParsedStore,
  locationDisplay,
  type OpenStoreOptions,
  type S3StoreOptions,
  type SftpStoreOptions,
} from './open-store.js';
export { parseStoreLocation, type StoreLocation } from './location.js';
export { compareNames } from './names.js';
