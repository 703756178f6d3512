// `npm run docs`: regenerates every table in the docs that mirrors the code, from the built code
// (dist/): the configuration reference, the entity tables, the troubleshooting tables and the
// add-on options table. The drift tests in test/docs and test/addon fail until this has been run.
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceAddonOptions } from '../dist/addon/option-schema.js';
import { replaceConfigReference } from '../dist/config/docs.js';
import {
  ENTITY_TABLE_MARKERS,
  renderAddonEntities,
  renderReadmeEntities,
} from '../dist/homeassistant/entity-docs.js';
import { replaceTroubleshooting } from '../dist/librelinkup/troubleshooting-doc.js';

function entities(render) {
  const { start, end } = ENTITY_TABLE_MARKERS;
  return (text) => {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`entity table markers ${start} ... ${end} not found`);
    return `${text.slice(0, from + start.length)}\n${render()}${text.slice(to)}`;
  };
}

const steps = {
  'README.md': [replaceConfigReference, entities(renderReadmeEntities), replaceTroubleshooting],
  'ha-addon/DOCS.md': [entities(renderAddonEntities), replaceTroubleshooting, replaceAddonOptions],
};

for (const [file, fns] of Object.entries(steps)) {
  const before = readFileSync(file, 'utf8');
  const after = fns.reduce((text, fn) => fn(text), before);
  if (after !== before) writeFileSync(file, after);
  console.log(`${file}: ${after === before ? 'already up to date' : 'tables updated'}`);
}
