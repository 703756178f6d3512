// Copies non-TypeScript assets (JSON schema, status page) next to the compiled files
// and marks the CLI executable, so `npm pack` ships a runnable package.
import { chmodSync, cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copyAssets(from, to) {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    if (statSync(src).isDirectory()) copyAssets(src, dst);
    else if (/\.(json|html|css|js|svg)$/.test(name) && !name.endsWith('.d.ts')) cpSync(src, dst);
  }
}
copyAssets('src', 'dist');
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
