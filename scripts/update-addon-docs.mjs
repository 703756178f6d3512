// Regenerates the options table in ha-addon/DOCS.md from the add-on's option rows and the config
// schema (after build).
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceAddonOptions } from '../dist/addon/option-schema.js';

const path = 'ha-addon/DOCS.md';
writeFileSync(path, replaceAddonOptions(readFileSync(path, 'utf8')));
console.log(`${path} options table updated`);
