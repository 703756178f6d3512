import type { AccountStatus, Alert, BridgeSink, PatientSnapshot } from '../../src/bridge/events.js';
import type { Reading } from '../../src/librelinkup/model.js';

/** A BridgeSink that records everything; `reading` can be held back to imitate a broker outage. */
export class RecordingSink implements BridgeSink {
  snapshots: PatientSnapshot[] = [];
  removed: PatientSnapshot[] = [];
  readings: Array<{ slug: string; reading: Reading; backfilled: boolean }> = [];
  alerts: Array<{ slug: string; alert: Alert }> = [];
  accounts: AccountStatus[] = [];
  private holding: Array<() => void> | null = null;

  patientChanged(p: PatientSnapshot): void {
    this.snapshots.push(p);
  }
  patientRemoved(p: PatientSnapshot): void {
    this.removed.push(p);
  }
  async reading(p: PatientSnapshot, r: Reading, options?: { backfilled: boolean }): Promise<void> {
    if (this.holding !== null) await new Promise<void>((resolve) => this.holding?.push(resolve));
    this.readings.push({ slug: p.slug, reading: r, backfilled: options?.backfilled === true });
  }
  alert(p: PatientSnapshot, a: Alert): void {
    this.alerts.push({ slug: p.slug, alert: a });
  }
  accountChanged(a: AccountStatus): void {
    this.accounts.push(a);
  }

  hold(): void {
    this.holding = [];
  }
  release(): void {
    const waiting = this.holding ?? [];
    this.holding = null;
    for (const resolve of waiting) resolve();
  }
  last(slug: string): PatientSnapshot | undefined {
    return this.snapshots.filter((s) => s.slug === slug).at(-1);
  }
  lastAccount(): AccountStatus | undefined {
    return this.accounts.at(-1);
  }
}
