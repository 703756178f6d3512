// LibreLinkUp regions the bridge will talk to, and their hosts. The allow-list is a safety
// boundary: a login redirect names a region, and only a listed region is ever turned into a host,
// always through the configured template (never a host taken from a response).

export const REGION_CODES = [
  'us',
  'eu',
  'eu2',
  'de',
  'fr',
  'jp',
  'ap',
  'au',
  'ae',
  'ca',
  'la',
  'ru',
  'cn',
] as const;

export type RegionCode = (typeof REGION_CODES)[number];

/** Production template; ru and cn do not follow it (api.libreview.ru, api-cn.myfreestyle.cn). */
export const DEFAULT_REGION_URL = 'https://api-{region}.libreview.io';

/** Hosts outside the production template pattern, used only with the production template. */
const PRODUCTION_EXCEPTIONS: Partial<Record<RegionCode, string>> = {
  ru: 'https://api.libreview.ru',
  cn: 'https://api-cn.myfreestyle.cn',
};

export function isRegionCode(value: string): value is RegionCode {
  return (REGION_CODES as readonly string[]).includes(value);
}

/** Base URL of `region` from the template, or null when the region is not in the allow-list. */
export function regionBaseUrl(region: string, regionUrlTemplate: string): string | null {
  if (!isRegionCode(region)) return null;
  if (regionUrlTemplate === DEFAULT_REGION_URL) {
    const exception = PRODUCTION_EXCEPTIONS[region];
    if (exception !== undefined) return exception;
  }
  return regionUrlTemplate.split('{region}').join(region);
}
