// Regenerates the troubleshooting tables of README.md and ha-addon/DOCS.md from the error policy
// (src/librelinkup/error-policy.ts), after build.
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceTroubleshooting } from '../dist/librelinkup/troubleshooting-doc.js';

for (const file of ['README.md', 'ha-addon/DOCS.md']) {
  writeFileSync(file, replaceTroubleshooting(readFileSync(file, 'utf8')));
  console.log(`${file} troubleshooting table updated`);
}
