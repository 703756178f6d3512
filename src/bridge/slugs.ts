// Topic slugs are unique across all accounts and stable across restarts (the chosen slug is
// persisted). A persisted slug that is no longer usable (a reserved word, too long, or already
// another patient's) is replaced once, with a warning that names both topics.

import type { Logger } from '../log.js';
import { isUsableSlug, KEPT_SLUG_MAX_CHARS, uniqueSlug } from './patient.js';

export class SlugRegistry {
  private readonly owners = new Map<string, string>();
  /** patientId → slug: the reverse index, so assign() never scans every owner */
  private readonly slugOf = new Map<string, string>();

  constructor(private readonly logger?: Logger) {}

  /** Re-takes a persisted slug; returns the slug to use from now on (a new one if it had to change). */
  claim(slug: string, patientId: string): string {
    const mine = this.slugOf.get(patientId);
    if (mine !== undefined) return mine;
    const owner = this.owners.get(slug);
    if (isUsableSlug(slug, KEPT_SLUG_MAX_CHARS) && (owner === undefined || owner === patientId)) {
      this.take(slug, patientId);
      return slug;
    }
    const next = this.assign(slug.replace(/[^a-z0-9_]+/g, '_'), patientId);
    const why = owner !== undefined && owner !== patientId ? 'already used by another patient' : 'not usable';
    this.logger?.warn(
      { patient: next, previous: slug.slice(0, KEPT_SLUG_MAX_CHARS) },
      `the saved topic name of a patient is ${why}; its topics move to <base>/${next}/`,
    );
    return next;
  }

  assign(base: string, patientId: string): string {
    const mine = this.slugOf.get(patientId);
    if (mine !== undefined) return mine;
    const slug = uniqueSlug(base, patientId, this.owners);
    this.take(slug, patientId);
    return slug;
  }

  release(slug: string, patientId: string): void {
    if (this.owners.get(slug) !== patientId) return;
    this.owners.delete(slug);
    this.slugOf.delete(patientId);
  }

  private take(slug: string, patientId: string): void {
    this.owners.set(slug, patientId);
    this.slugOf.set(patientId, slug);
  }
}
