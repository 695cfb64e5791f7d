// Bundles every shipped entry point with esbuild. Subcommands are loaded with dynamic
// import() so that `sluice procmail` pays only for the code it runs (code splitting).
// Stale chunks from earlier builds are removed only after a successful build.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const result = await build({
  entryPoints: { sluice: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  metafile: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // native addons stay outside the bundle and are loaded with require() when present
  external: ['fs-ext', 're2'],
  banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

const fresh = new Set(Object.keys(result.metafile.outputs).map((p) => relative('dist', p)));
for (const f of readdirSync('dist/chunks')) {
  const rel = join('chunks', f);
  if (!fresh.has(rel)) rmSync(join('dist', rel));
}
