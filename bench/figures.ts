// The headline figures with their goals, from the side-by-side, scale and idle outcomes.

import type { IdleOutcome } from './idle.js';
import type { Figure } from './report.js';
import type { ScaleOutcome } from './scale.js';
import type { SideBySideResult } from './side-by-side-run.js';

export function figures(sbs: SideBySideResult, scale: ScaleOutcome[], idle: IdleOutcome): Figure[] {
  const f: Figure[] = [];
  const ours = sbs.oursFreshness;
  const le = (v: number | null, goal: number) => (v === null ? false : v <= goal);
  f.push({
    id: '1a',
    name: 'Freshness median, availability upstream → MQTT',
    value: ours.medianS,
    unit: 's',
    goal: '<= 3 s',
    met: le(ours.medianS, 3),
  });
  f.push({
    id: '1b',
    name: 'Freshness p95',
    value: ours.p95S,
    unit: 's',
    goal: '<= 10 s',
    met: le(ours.p95S, 10),
  });
  f.push({
    id: '2a',
    name: 'Requests per new reading (worst account, steady state)',
    value: sbs.oursEconomy.maxRequestsPerReading,
    unit: '',
    goal: '<= 1.2',
    met: le(sbs.oursEconomy.maxRequestsPerReading, 1.2),
  });
  f.push({
    id: '2b',
    name: 'Logins per hour (steady state)',
    value: sbs.oursEconomy.maxLoginsPerHour,
    unit: '/h',
    goal: '0',
    met: sbs.oursEconomy.maxLoginsPerHour === 0,
  });
  for (const s of scale) {
    const goal = s.goal;
    f.push({
      id: '4',
      name: `${s.label}: readings delivered`,
      value: Math.round(s.fraction * 10000) / 100,
      unit: '%',
      goal: goal ? '100 %' : '-',
      met: goal ? s.readings > 0 && s.delivered === s.readings : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: CPU of one core`,
      value: s.cpuPercent,
      unit: '%',
      goal: goal ? '<= 25 %' : '-',
      met: goal ? s.cpuPercent <= 25 : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: RSS (peak in window)`,
      value: s.rssPeakMB,
      unit: 'MB',
      goal: goal ? '<= 200 MB' : '-',
      met: goal ? s.rssPeakMB <= 200 : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: event-loop delay p99`,
      value: s.eldP99Ms,
      unit: 'ms',
      goal: '-',
      met: null,
    });
  }
  f.push({
    id: '5a',
    name: `Idle RSS, one account, after ${idle.windowS} s (embedded broker / external broker)`,
    value: idle.embedded.rssMB,
    unit: 'MB',
    goal: '<= 80 MB',
    met: idle.embedded.rssMB <= 80 && idle.external.rssMB <= 80,
    detail: `${idle.embedded.rssMB} / ${idle.external.rssMB} MB`,
  });
  f.push({
    id: '5b',
    name: 'Start → first publish (process spawn → reading on MQTT)',
    value: idle.firstPublish.spawnToPublishS,
    unit: 's',
    goal: '<= 1.5 s',
    met: le(idle.firstPublish.spawnToPublishS, 1.5),
  });
  return f;
}
