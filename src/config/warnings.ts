// Notes about a valid config that may still hurt: printed as warnings, never refused, because
// tests, the simulator and unusual setups legitimately do these things.

import { isLoopbackHost } from './checks.js';
import type { Config } from './types.js';

/** Below this LibreLinkUp tends to answer 429 and, repeated, lock the account. */
export const SAFE_MIN_INTERVAL_S = 10;

const LIBREVIEW_HOST = /(^|\.)(libreview\.io|libreview\.ru|myfreestyle\.cn)$/i;

function hostOf(url: string): string {
  try {
    return new URL(url.split('{region}').join('eu')).hostname;
  } catch {
    return '';
  }
}

/** Does this account talk to Abbott's real servers (rather than a simulator)? */
export function isLibreViewHost(url: string): boolean {
  return LIBREVIEW_HOST.test(hostOf(url));
}

export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  const real = config.accounts.some((a) => isLibreViewHost(a.api_url) || isLibreViewHost(a.region_url));
  const { min_interval: min, interval } = config.poll;
  if (real && min < SAFE_MIN_INTERVAL_S) {
    out.push(
      `poll.min_interval is ${min} s; below ${SAFE_MIN_INTERVAL_S} s against LibreView risks rate limits and account lockouts`,
    );
  }
  if (real && interval < SAFE_MIN_INTERVAL_S) {
    out.push(
      `poll.interval is ${interval} s; below ${SAFE_MIN_INTERVAL_S} s against LibreView risks rate limits and account lockouts`,
    );
  }
  config.accounts.forEach((a, i) => {
    for (const key of ['api_url', 'region_url'] as const) {
      const url = a[key];
      if (url.startsWith('http://') && !isLoopbackHost(hostOf(url))) {
        out.push(`accounts[${i}].${key} uses http://: the LibreLinkUp password would travel unencrypted`);
      }
    }
  });
  const { url, tls } = config.mqtt;
  if (tls !== undefined && url !== undefined && !/^(mqtts|wss):/i.test(url)) {
    out.push('mqtt.tls is set but mqtt.url does not use mqtts:// or wss://, so TLS is not used');
  }
  if (tls?.reject_unauthorized === false) {
    out.push("mqtt.tls.reject_unauthorized is false: the broker's certificate is not checked");
  }
  return out;
}
