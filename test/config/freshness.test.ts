import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ENV, failure, withAccount } from './helpers.js';

describe('poll.freshness', () => {
  it('defaults to balanced', () => {
    expect(parseConfig(withAccount(), ENV).poll.freshness).toBe('balanced');
  });

  it('accepts economical, balanced and fast', () => {
    for (const f of ['economical', 'balanced', 'fast'])
      expect(parseConfig(withAccount(`poll:\n  freshness: ${f}\n`), ENV).poll.freshness).toBe(f);
  });

  it('rejects anything else, naming the key and the choices', () => {
    const e = failure(withAccount('poll:\n  freshness: turbo\n'));
    expect(e.message).toContain('freshness');
    expect(e.message).toMatch(/economical.*balanced.*fast/s);
  });
});
