// Upstream faults end to end (issue 5): lockout, terms step, every malformed body kind and a hanging
// upstream, each against the fake LibreLinkUp server, the real bridge and an in-process broker.
import { describe, expect, it, type TestContext } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { SimFault } from '../../src/simulator/types.js';
import { sitOutBackoff } from './backoff.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, movableClock, twoPatients } from './world.js';

const BASE = 'librelinkup2mqtt';
const ACCOUNT_STATE = /^librelinkup2mqtt\/bridge\/acct_[0-9a-f]{8}\/state$/;

interface AccountState {
  ok: boolean;
  error_kind: string | null;
  message: string;
  blocked_until: string | null;
}
type Malformed = Extract<SimFault, { kind: 'malformed' }>['variant'];

describe.concurrent('upstream faults end to end', () => {
  async function setup(ctx: TestContext, account: Record<string, unknown> = {}) {
    const defer = cleanupFor(ctx);
    const clock = movableClock();
    const world = twoPatients(clock.now);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const collector = await Collector.connect(broker.url, [`${BASE}/#`]);
    defer(() => collector.close());
    const base = configFor(sim, broker.url, { poll: { interval: 1, min_interval: 0.25, timeout: 3 } }, world);
    const config = { ...base, accounts: base.accounts.map((a) => ({ ...a, ...account })) };
    const start = async (): Promise<RunningBridge> => {
      const bridge = await runBridge(config, clock.now);
      defer(() => bridge.stop());
      return bridge;
    };
    const sitOut = (bridge: RunningBridge) => sitOutBackoff(bridge, clock);
    const accountStates = () =>
      collector.messages
        .filter((m) => ACCOUNT_STATE.test(m.topic))
        .map((m) => JSON.parse(m.payload) as AccountState);
    const readings = () =>
      collector
        .on(`${BASE}/anna_smith/reading`)
        .map((m) => JSON.parse(m.payload) as { timestamp: string; glucose_mgdl: number });
    return { sim, collector, start, accountStates, readings, sitOut };
  }

  it('a lockout at login: one attempt, then nothing inside it, and the problem says until when', async (ctx) => {
    const { sim, start, accountStates } = await setup(ctx);
    sim.addFault({ endpoint: 'login', fault: { kind: 'locked', lockoutSeconds: 3_600 } });
    const bridge = await start();
    await waitUntil(() => accountStates().some((s) => s.error_kind === 'locked'), 'locked state');
    const locked = accountStates().find((s) => s.error_kind === 'locked')!;
    expect(locked.ok).toBe(false);
    const until = Date.parse(locked.blocked_until!);
    expect(until).toBeGreaterThan(Date.now() + 3_000_000);
    expect(locked.message).toMatch(/until/i);
    expect(sim.requests.filter((r) => r.email === EMAIL)).toHaveLength(1);
    // Nothing inside the lockout: the next attempt the bridge plans (none at all counts too) is at
    // its end at the earliest, read from the schedule instead of watching the clock for a retry.
    expect(bridge.app.bridge.accounts()[0]!.nextPollAt ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(
      until,
    );
  });

  it('a terms step without accept_terms: one attempt, a message to accept in the app, no retry', async (ctx) => {
    const { sim, start, accountStates } = await setup(ctx);
    sim.setPendingSteps(EMAIL, ['tou']);
    const bridge = await start();
    await waitUntil(() => accountStates().some((s) => s.error_kind === 'terms'), 'terms state');
    const state = accountStates().find((s) => s.error_kind === 'terms')!;
    expect(state.message).toMatch(/LibreLinkUp app/);
    expect(state.message.toLowerCase()).toMatch(/terms|accept/);
    const attempts = sim.requests.filter((r) => r.endpoint === 'login' && r.outcome.startsWith('step_'));
    expect(attempts).toHaveLength(1);
    // No retry soon (it could not succeed before the user accepts in the app): the next attempt the
    // bridge plans, if any, is half an hour away or more.
    const next = bridge.app.bridge.accounts()[0]!.nextPollAt ?? Number.POSITIVE_INFINITY;
    expect(next - attempts[0]!.at).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it('a terms step with accept_terms: accepted once, then readings flow', async (ctx) => {
    const { sim, start, readings } = await setup(ctx, { accept_terms: true });
    sim.setPendingSteps(EMAIL, ['tou', 'pp']);
    await start();
    await waitUntil(() => readings().length >= 2, 'readings after accepting');
    expect(sim.requests.filter((r) => r.endpoint === 'continue').map((r) => r.outcome)).toEqual([
      'accepted_tou',
      'accepted_pp',
    ]);
  });

  it('each malformed whole-body kind: nothing malformed published, the problem named, then recovery', async (ctx) => {
    // wrong_types and bad_timestamp spoil fields of single entries, which cost only those fields
    // (hostile-upstream.e2e.test.ts); these are the whole-body kinds.
    const variants: Malformed[] = ['not_json', 'empty', 'missing_data', 'truncated'];
    await Promise.all(
      variants.map(async (variant) => {
        const { sim, collector, start, accountStates, readings, sitOut } = await setup(ctx);
        const bridge = await start();
        await waitUntil(() => readings().length >= 2, `${variant}: first readings`);
        sim.addFault({ endpoint: 'connections', fault: { kind: 'malformed', variant } });
        await waitUntil(
          () => accountStates().some((s) => s.error_kind === 'malformed'),
          `${variant}: malformed state`,
        );
        const seen = readings().length;
        // Back-off (10 s with jitter), then the next poll succeeds.
        await sitOut(bridge);
        await waitUntil(
          () => readings().length >= seen + 2 && accountStates().at(-1)?.ok === true,
          `${variant}: recovery`,
          40_000,
        );
        const states = collector.on(`${BASE}/anna_smith/state`).map((m) => m.payload);
        for (const p of states) {
          expect(p, variant).not.toMatch(/NaN|undefined|null,"glucose"/);
          expect(Number.isFinite((JSON.parse(p) as { glucose_mgdl: number }).glucose_mgdl), variant).toBe(
            true,
          );
        }
        const ts = readings().map((r) => r.timestamp);
        expect(new Set(ts).size, variant).toBe(ts.length);
        expect([...ts].sort(), variant).toEqual(ts);
      }),
    );
  }, 90_000);

  it('an upstream that hangs 20 s: a timeout, back-off for this account, then recovery without a duplicate', async (ctx) => {
    const { sim, start, accountStates, readings, sitOut } = await setup(ctx);
    const bridge = await start();
    await waitUntil(() => readings().length >= 2, 'first readings');
    sim.addFault({ endpoint: 'connections', fault: { kind: 'hang', ms: 20_000 } });
    await waitUntil(() => accountStates().some((s) => s.error_kind === 'timeout'), 'timeout state');
    const seen = readings().length;
    await sitOut(bridge);
    await waitUntil(
      () => readings().length >= seen + 3 && accountStates().at(-1)?.ok === true,
      'recovery',
      45_000,
    );
    const ts = readings().map((r) => r.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort()).toEqual(ts);
    expect(sim.readingsOf(MGDL_PATIENT).length).toBeGreaterThan(0);
    // The bridge never logged in again for a timeout.
    expect(sim.requests.filter((r) => r.endpoint === 'login' && r.outcome === 'ok')).toHaveLength(1);
  }, 90_000);
});
