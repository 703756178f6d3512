// The troubleshooting table of README.md and ha-addon/DOCS.md, generated from the error policy so
// the docs quote the messages the bridge prints and state the waits it keeps.

import { ERROR_POLICY, HOUR, MINUTE, type WaitRule } from './error-policy.js';
import type { LluErrorKind } from './errors.js';

export const TROUBLESHOOTING_MARKERS = {
  start: '<!-- troubleshooting:start -->',
  end: '<!-- troubleshooting:end -->',
} as const;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');

/** 10 s, 5 min, 1 h */
export function formatDuration(ms: number): string {
  if (ms >= HOUR && ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms >= MINUTE && ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / 1000} s`;
}

/** The wait in words, as retryDelay computes it. */
export function waitSentence(wait: WaitRule): string {
  switch (wait.rule) {
    case 'fixed':
      return `Retried after ${formatDuration(wait.ms)}, or at once after a restart.`;
    case 'retry_at':
      return `Waits until the time LibreLinkUp gives (${formatDuration(wait.defaultMs)} when it gives none).`;
    case 'doubling': {
      const first = wait.jitter
        ? `${formatDuration(wait.baseMs / 2).replace(/ .*/, '')}-${formatDuration(wait.baseMs)}`
        : formatDuration(wait.baseMs);
      const jitter = wait.jitter ? ', with jitter' : '';
      return `Backs off ${first} at first, doubling up to ${formatDuration(wait.maxMs)}${jitter}.`;
    }
  }
}

function row(kind: LluErrorKind): string {
  const p = ERROR_POLICY[kind];
  const seen = `${p.shows.map((s) => `\`${s}\``).join(' / ')} (\`${kind}\`)`;
  return `| ${cell(seen)} | ${cell(p.title)} | ${cell(`${p.troubleshooting} ${waitSentence(p.wait)}`)} |`;
}

/** Markdown table, one row per error kind, in the policy's order. */
export function renderTroubleshooting(): string {
  const kinds = Object.keys(ERROR_POLICY) as LluErrorKind[];
  return ['| what you see | what it means | what to do |', '|---|---|---|', ...kinds.map(row), ''].join('\n');
}

/** `text` with the generated table placed between the markers (which must both be present). */
export function replaceTroubleshooting(text: string): string {
  const { start, end } = TROUBLESHOOTING_MARKERS;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`missing ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${renderTroubleshooting()}${text.slice(to)}`;
}
