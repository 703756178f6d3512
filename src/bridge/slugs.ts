// Topic slugs are unique across all accounts and stable across restarts (the chosen slug is persisted).

import { uniqueSlug } from './patient.js';

export class SlugRegistry {
  private readonly owners = new Map<string, string>();

  claim(slug: string, patientId: string): void {
    if (!this.owners.has(slug)) this.owners.set(slug, patientId);
  }

  assign(base: string, patientId: string): string {
    for (const [slug, owner] of this.owners) if (owner === patientId) return slug;
    const slug = uniqueSlug(base, patientId, new Set(this.owners.keys()));
    this.owners.set(slug, patientId);
    return slug;
  }

  release(slug: string, patientId: string): void {
    if (this.owners.get(slug) === patientId) this.owners.delete(slug);
  }
}
