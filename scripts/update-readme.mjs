// Regenerates the configuration reference in README.md from src/config/schema.json (after build).
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigReference } from '../dist/config/docs.js';

const text = readFileSync('README.md', 'utf8');
writeFileSync('README.md', replaceConfigReference(text));
console.log('README.md configuration reference updated');
