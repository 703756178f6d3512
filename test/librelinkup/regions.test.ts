import { describe, expect, it } from 'vitest';
import { DEFAULT_REGION_URL, isRegionCode, regionBaseUrl } from '../../src/librelinkup/regions.js';

describe('regions', () => {
  it('builds production hosts from the template, with the ru and cn exceptions', () => {
    expect(regionBaseUrl('eu2', DEFAULT_REGION_URL)).toBe('https://api-eu2.libreview.io');
    expect(regionBaseUrl('la', DEFAULT_REGION_URL)).toBe('https://api-la.libreview.io');
    expect(regionBaseUrl('ru', DEFAULT_REGION_URL)).toBe('https://api.libreview.ru');
    expect(regionBaseUrl('cn', DEFAULT_REGION_URL)).toBe('https://api-cn.myfreestyle.cn');
  });

  it('substitutes every region, ru and cn included, into a custom template', () => {
    expect(regionBaseUrl('ru', 'http://127.0.0.1:1234/r/{region}')).toBe('http://127.0.0.1:1234/r/ru');
    expect(regionBaseUrl('de', 'http://127.0.0.1:1234/r/{region}')).toBe('http://127.0.0.1:1234/r/de');
  });

  it('refuses anything outside the allow-list', () => {
    for (const r of ['', 'EU', 'eu3', 'evil.com', 'eu/../x', 'api-eu']) {
      expect(isRegionCode(r)).toBe(false);
      expect(regionBaseUrl(r, DEFAULT_REGION_URL)).toBeNull();
    }
  });
});
