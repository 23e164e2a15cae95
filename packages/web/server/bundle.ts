/**
 * Bundles the dashboard (../src/main.tsx: Preact components in TypeScript) into one ES module with
 * esbuild, in memory. The service calls it once at start (`registerDashboard`), so the two
 * commands of the README need no build step of their own and the page is always its source.
 */
import { build } from 'esbuild';

export type Bundle = { js: string; bytes: number };

export async function bundleDashboard(): Promise<Bundle> {
  const out = await build({
    entryPoints: [new URL('../src/main.tsx', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]?.text ?? '';
  return { js, bytes: Buffer.byteLength(js) };
}
