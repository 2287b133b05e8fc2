// Build the browser client: one ES module bundle (esbuild) plus type declarations (tsc).
// Usage: node build.mjs [--outdir DIR]   (default static/js; tests build into a temp dir and compare)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf('--outdir');
const outdir = resolve(root, flag > 0 ? process.argv[flag + 1] : 'static/js');
const banner = '// Generated from web/client/*.ts by `npm run build` (esbuild); do not edit.';

await build({
  absWorkingDir: root,
  entryPoints: ['client/index.ts'],
  outfile: join(outdir, 'client.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  charset: 'utf8',
  legalComments: 'none',
  banner: { js: banner },
  logLevel: 'warning',
});

const types = join(outdir, 'types');
rmSync(types, { recursive: true, force: true });
mkdirSync(types, { recursive: true });
execFileSync(join(root, 'node_modules', '.bin', 'tsc'),
  ['-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--declarationDir', types],
  { stdio: 'inherit', cwd: root });
writeFileSync(join(outdir, 'client.d.ts'), `${banner}\nexport * from './types/index.js';\n`);
