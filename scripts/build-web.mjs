// Bundles the page script and stylesheet (src/web/client/) into dist/web/assets/ with esbuild.
// Run by `npm run build`; the server serves these files itself (no CDN, works offline).
import { build } from 'esbuild';

await build({
  entryPoints: { web: 'src/web/client/main.ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  outdir: 'dist/web/assets',
  logLevel: 'warning',
});
await build({
  entryPoints: { web: 'src/web/client/style.css' },
  bundle: true,
  minify: true,
  outdir: 'dist/web/assets',
  logLevel: 'warning',
});
