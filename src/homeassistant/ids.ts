// A patientId as one segment of a discovery topic, a unique_id or a device identifier.

import { createHash } from 'node:crypto';
import { ID_MAX_CHARS } from '../librelinkup/limits.js';

/** LibreLinkUp ids are UUIDs: letters, digits and dashes. Only such an id is used as it is. */
const PLAIN_ID = /^[A-Za-z0-9-]+$/;

/**
 * A plain id (every real one) is kept as it is, so existing entities keep their unique_id; any
 * other id becomes `h_` and a hash of it. `_` never occurs in a plain id, so the two forms cannot
 * meet, and distinct odd ids (`a/b`, `a+b`, `a#b`, `..`) no longer fold into one.
 */
export function idSegment(patientId: string): string {
  if (PLAIN_ID.test(patientId) && patientId.length <= ID_MAX_CHARS) return patientId;
  return `h_${createHash('sha256').update(patientId).digest('hex').slice(0, 32)}`;
}
