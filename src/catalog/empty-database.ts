/**
 * The catalog of a new, empty database on the same server as a given one:
 * what a twin that does not exist yet would hold. Capture plans its base
 * against it (there is no target to read, and the archive must create every
 * selected table, as sync does for an empty twin): the server's own types,
 * collations, languages, roles and installable extensions stay, every user
 * object goes.
 */
import type { Catalog } from './model.js';

export function emptyDatabaseLike(catalog: Catalog): Catalog {
  const { objects } = catalog;
  return {
    serverVersionNum: catalog.serverVersionNum,
    tables: new Map(),
    foreignKeys: [],
    sequences: [],
    objects: {
      ...objects,
      schemas: new Set(),
      schemaComments: new Map(),
      // What CREATE DATABASE copies from template1: plpgsql and nothing else.
      extensions: new Map([...objects.extensions].filter(([name]) => name === 'plpgsql')),
      collations: new Map([...objects.collations].filter(([, c]) => c.schema === 'pg_catalog')),
      types: new Map([...objects.types].filter(([, t]) => t.system)),
      relations: new Map(),
      tables: new Map(),
      views: new Map(),
      sequences: new Map(),
      functions: new Map(),
      constraints: [],
      indexes: [],
      triggers: [],
      policies: [],
      rules: [],
      grants: [],
      textSearchConfigs: new Map([...objects.textSearchConfigs].filter(([, c]) => c.schema === 'pg_catalog')),
      textSearchDictionaries: new Map([...objects.textSearchDictionaries].filter(([, d]) => d.schema === 'pg_catalog')),
      dependencies: new Map(),
      extensionMembers: new Map(),
    },
  };
}
