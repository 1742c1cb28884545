// build.mjs -- bundle the dashboard: src/main.js and its modules into
// dist/app.js, src/styles.css into dist/app.css (minified, with source
// maps kept out of the served list).  `citybrain serve` serves index.html,
// favicon.svg and dist/ from a fixed list (src/serve/serve_static.c).
//
//   node build.mjs            build once
//   node build.mjs --check    build only if a source is newer than dist/
import { build } from 'esbuild';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src'), dist = join(here, 'dist');

function newest(dir) {
  let t = 0;
  for (const f of readdirSync(dir)) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  return t;
}

if (process.argv.includes('--check')) {
  let built = 0;
  try { built = Math.min(statSync(join(dist, 'app.js')).mtimeMs, statSync(join(dist, 'app.css')).mtimeMs); } catch { /* not built */ }
  if (built && built >= Math.max(newest(src), statSync(join(here, 'build.mjs')).mtimeMs)) process.exit(0);
}

mkdirSync(dist, { recursive: true });
const common = { bundle: true, minify: true, logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: [join(src, 'main.js')], outfile: join(dist, 'app.js'), format: 'esm', target: ['es2020', 'chrome100', 'firefox100', 'safari15'] });
await build({ ...common, entryPoints: [join(src, 'styles.css')], outfile: join(dist, 'app.css'), target: ['chrome100', 'firefox100', 'safari15'] });
const size = (f) => (statSync(join(dist, f)).size / 1024).toFixed(1);
console.log(`web: built dist/app.js (${size('app.js')} KiB) and dist/app.css (${size('app.css')} KiB)`);
