// Bundles the CLI into one ESM file: one file loads much faster than hundreds of modules,
// which is most of k8ts's cold start. Native and large runtime packages stay external.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  // Code splitting keeps what only some starts need (certificate generation on the first start)
  // out of the file every start parses.
  // The SQLite writer thread is a second entry: a worker loads its own file.
  entryPoints: { k8ts: 'src/cli/main.ts', 'sqlite-writer': 'src/store/sqlite/writer-worker.ts', 'netns-proxy': 'src/process/network/netns-proxy-main.ts' },
  outdir: 'dist',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // ink and react load only for `k8ts watch` on a terminal, from node_modules as published.
  external: ['better-sqlite3', 'node-pty', 'etcd3', 'kubernetes-models', '@kubernetes-models/*', 'ink', 'react', 'react/*'],
  // ESM builds where packages ship one (@peculiar/x509's splits cleanly into its own chunk).
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __k8tsCreateRequire } from 'node:module'; const require = __k8tsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The built-in OpenAPI schemas are data read at first use, not code: ship them beside the bundle.
mkdirSync('dist/generated', { recursive: true });
cpSync('src/api/schema/generated/k8s-schemas.json', 'dist/generated/k8s-schemas.json');

// The dashboard: a browser bundle k8ts serves under /dashboard/, so an offline cluster needs no CDN.
await build({
  entryPoints: { app: 'src/dashboard/web/main.tsx' },
  outdir: 'dist/dashboard',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome120', 'firefox121', 'safari17'],
  tsconfig: 'src/dashboard/web/tsconfig.json',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
cpSync('src/dashboard/web/index.html', 'dist/dashboard/index.html');
cpSync('src/dashboard/web/app.css', 'dist/dashboard/app.css');
