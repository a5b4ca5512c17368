// Bundles the CLI into one ESM file: one file loads much faster than hundreds of modules,
// which is most of k8ts's cold start. Native and large runtime packages stay external.
import { cpSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/k8ts.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'kubernetes-models', '@kubernetes-models/*'],
  banner: { js: "import { createRequire as __k8tsCreateRequire } from 'node:module'; const require = __k8tsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The built-in OpenAPI schemas are data read at first use, not code: ship them beside the bundle.
mkdirSync('dist/generated', { recursive: true });
cpSync('src/api/schema/generated/k8s-schemas.json', 'dist/generated/k8s-schemas.json');
