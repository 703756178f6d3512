// The knobs tests, `demo` and the benchmarks turn on a running fake: accounts (password, steps,
// followed patients, tokens), patients (sensor, readings paused) and the clock of the Date header.

import type { SimState } from './sim-state.js';
import type { FakeLibreLinkUpServer, SimSensor } from './types.js';

type Controls = Omit<
  FakeLibreLinkUpServer,
  'apiUrl' | 'regionUrl' | 'port' | 'requests' | 'clearRequests' | 'addFault' | 'clearFaults' | 'close'
>;

/** `clock.offsetMs`: how far the Date header is from the readings' clock (read by the server). */
export function controls(state: SimState, clock: { offsetMs: number }): Controls {
  const { now } = state.settings;
  return {
    revokeTokens: (email) => state.revokeTokens(email),
    setPassword: (email, password) => {
      state.account(email).password = password;
    },
    setPendingSteps: (email, steps) => {
      state.account(email).pendingSteps = [...steps];
    },
    follow: (email, patientId) => {
      const acc = state.account(email);
      state.patient(patientId);
      if (!acc.patients.includes(patientId)) acc.patients.push(patientId);
    },
    unfollow: (email, patientId) => {
      const acc = state.account(email);
      acc.patients = acc.patients.filter((id) => id !== patientId);
    },
    setSensor: (patientId, sensor: SimSensor | null) => {
      state.patient(patientId).sensor = sensor;
    },
    pauseReadings: (patientId) => state.patient(patientId).pause(now()),
    resumeReadings: (patientId) => state.patient(patientId).resume(now()),
    readingsOf: (patientId, at) =>
      state
        .patient(patientId)
        .readings(at ?? now())
        .map((x) => ({
          timestamp: x.timestamp,
          mgdl: x.mgdl,
          trendArrow: x.trendArrow,
          availableAt: x.availableAt,
        })),
    hideFor: (email, patientId, answers = 1) => {
      const acc = state.account(email);
      acc.hidden ??= new Map();
      acc.hidden.set(patientId, answers);
    },
    setClockOffset: (ms) => {
      clock.offsetMs = ms;
    },
  };
}
