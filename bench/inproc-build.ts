// Bundles bench/inproc.ts with the same esbuild settings as scripts/build.mjs (minified ESM,
// node20), so the one-process runners execute the same kind of code as bin/sluice.
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO } from './context.ts';

export interface InProcess {
  /** `node` + these arguments runs the bundle. */
  script: string;
  /** Environment additions: NODE_PATH lets the bundle outside the repo find fs-ext. */
  env: Record<string, string>;
}

export async function buildInProcess(dir: string): Promise<InProcess> {
  const outfile = join(dir, 'inproc.mjs');
  await build({
    entryPoints: [join(REPO, 'bench', 'inproc.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: true,
    external: ['fs-ext', 're2'],
    banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  // the bundle lives in the bench directory; optional native modules resolve from the repo
  return { script: outfile, env: { NODE_PATH: join(REPO, 'node_modules') } };
}
