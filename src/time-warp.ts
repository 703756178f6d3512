// Compressed time for `demo --fast`, and for nothing else. The bridge's windows are constants in real
// minutes (15 min stale, the rate window, 24 h statistics, the 12 h chart, back-off and graph timers),
// so shortening only the reading period would leave them long and let the rate of change contradict
// the trend arrow. Instead the clock itself runs `factor` times faster: Date.now (which the bridge,
// the simulator and the log timestamps read) and every delay the bridge waits through safeTimeout.
// Every window then shrinks alike, with the bridge's real code and constants.
//
// Timers of the network libraries (MQTT keepalive and connect timeouts, HTTP sockets, the stop
// budget) keep real time on purpose: they guard real sockets, and compressing them would turn a busy
// machine's event-loop pause into a dropped connection.

import { setTimerScale } from './timers.js';

export interface TimeWarp {
  readonly factor: number;
  /** Real clock and timers again; idempotent. */
  restore(): void;
}

let active: TimeWarp | null = null;

/** Runs this process's clock `factor` times faster until restore(). Only one warp at a time. */
export function compressTime(factor: number): TimeWarp {
  if (!(factor >= 1) || !Number.isFinite(factor)) throw new Error(`time factor must be >= 1, got ${factor}`);
  if (active !== null) throw new Error('time is already compressed in this process');
  const realNow = Date.now;
  const origin = realNow();
  const perfOrigin = performance.now();
  // performance.now is monotonic: the warped clock never steps back if the wall clock is adjusted.
  Date.now = () => Math.round(origin + (performance.now() - perfOrigin) * factor);
  setTimerScale(factor);
  const warp: TimeWarp = {
    factor,
    restore: () => {
      if (active !== warp) return;
      Date.now = realNow;
      setTimerScale(1);
      active = null;
    },
  };
  active = warp;
  return warp;
}
