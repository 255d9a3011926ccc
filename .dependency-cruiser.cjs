/**
 * The layers of src/, bottom first (docs/architecture.md says what each owns).
 * A module may import only from its own layer or the layers below it, and no
 * import cycle is allowed anywhere, type-only imports included. `npm test`
 * runs this check (npm run lint:layers). config/, anonymize/, catalog/ and
 * scan/ are used from outside only through their index.ts.
 */
const LAYERS = [
  ['core', '^src/(errors|scope|word-list|did-you-mean|backoff)\\.ts$'],
  ['config', '^src/config/'],
  ['anonymize', '^src/anonymize/'],
  ['local', '^src/local/'],
  ['store', '^src/store/'],
  ['pg', '^src/pg/'],
  ['catalog', '^src/catalog/'],
  ['plan', '^src/plan/'],
  ['mask', '^src/mask/'],
  ['schema', '^src/schema/'],
  ['snapshot', '^src/snapshot/'],
  ['stream', '^src/stream/'],
  ['apply', '^src/apply/'],
  ['source', '^src/source/'],
  ['archive', '^src/archive/'],
  ['sync', '^src/sync/'],
  ['follow', '^src/follow/'],
  ['capture', '^src/capture/'],
  ['replay', '^src/replay/'],
  ['scan', '^src/scan/'],
  ['verify', '^src/verify/'],
  ['report', '^src/report/'],
  ['demo', '^src/demo/'],
  ['cli', '^src/cli/'],
  ['api', '^src/index\\.ts$'],
];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}`,
  comment: `${name} sits below ${LAYERS.slice(i + 1)
    .map(([above]) => above)
    .join(', ')}: it may not import from them (move the shared part down instead)`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(i + 1).map(([, above]) => above) },
}));

/** Folders other layers use only through their index.ts: what they export there is their whole surface. */
const SURFACES = ['config', 'anonymize', 'catalog', 'scan'];
const surfaces = SURFACES.map((folder) => ({
  name: `surface-${folder}`,
  comment: `outside src/${folder}/, import src/${folder}/index.ts (export what is needed there) rather than its internals`,
  severity: 'error',
  from: { pathNot: `^src/${folder}/` },
  to: { path: `^src/${folder}/`, pathNot: `^src/${folder}/index\\.ts$` },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...surfaces,
    {
      name: 'no-cycles',
      comment: 'import cycles, type-only imports included, hide which module owns what',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'outside-the-layers',
      comment: 'every module of src/ belongs to one layer of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(([, path]) => path).concat('^src/types/') },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
