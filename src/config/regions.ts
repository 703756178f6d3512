// The values accounts[].region accepts: "auto" (follow the login's redirect) or a code of the
// client's allow-list. The schema's enum, the Config type and the add-on's list all come from here.

import { REGION_CODES, type RegionCode } from '../librelinkup/regions.js';

export type { RegionCode };

export const REGION_CHOICES = ['auto', ...REGION_CODES] as const;

export type RegionChoice = (typeof REGION_CHOICES)[number];
