// Import boundaries of src/ (see ARCHITECTURE.md), checked by `npm run lint:imports` (part of `npm run lint`).
// A folder may import only folders of LOWER tiers; folders of one tier never import each other, so there are no
// cycles between folders. Test files (`*.test.ts`) may reach across: they wire real parts together.

/** Folders of src/, lowest tier first. A new folder must be added here before it can import anything. */
const TIERS = [
  ['shared', 'text', 'gguf', 'sandbox'],
  ['hardware', 'providers'],
  ['transcript', 'doctor', 'workspace'],
  ['agent', 'store', 'task'],
  ['external'],
  ['metrics'],
  ['probe', 'run'],
  ['report', 'viewer'],
  ['demo'],
  ['cli'],
];

const TEST_FILE = '\\.test\\.ts$';
const known = TIERS.flat();

const tierRules = TIERS.flatMap((tier, index) => {
  const higher = TIERS.slice(index + 1).flat();
  return tier.map((folder) => {
    const forbidden = [...higher, ...tier.filter((other) => other !== folder)];
    return {
      name: `${folder}-imports-only-lower-tiers`,
      comment: `src/${folder}/ (tier ${index + 1}) may import only folders of lower tiers; see ARCHITECTURE.md.`,
      severity: 'error',
      from: { path: `^src/${folder}/`, pathNot: TEST_FILE },
      to: { path: `^src/(${forbidden.join('|') || '(?!)'})/` },
    };
  });
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...tierRules,
    {
      name: 'folder-has-a-tier',
      comment: 'Every folder of src/ has a tier in .dependency-cruiser.cjs (TIERS); add a new folder there.',
      severity: 'error',
      from: { path: `^src/(?!(${known.join('|')})/)`, pathNot: TEST_FILE },
      to: { path: '^src/' },
    },
    {
      name: 'no-test-support-in-src',
      comment: 'Code users run never imports test-only code (test-support/); only *.test.ts files may.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { path: '^test-support/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules never import each other in a circle (a type-only import back is allowed).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^src/viewer/ui/.*\\.(css|html)$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
