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

/** The allow-list with each region's production host; ru and cn are not on the template's pattern. */
export const REGIONS: Readonly<Record<RegionCode, string>> = Object.freeze({
  us: 'https://api-us.libreview.io',
  eu: 'https://api-eu.libreview.io',
  eu2: 'https://api-eu2.libreview.io',
  de: 'https://api-de.libreview.io',
  fr: 'https://api-fr.libreview.io',
  jp: 'https://api-jp.libreview.io',
  ap: 'https://api-ap.libreview.io',
  au: 'https://api-au.libreview.io',
  ae: 'https://api-ae.libreview.io',
  ca: 'https://api-ca.libreview.io',
  la: 'https://api-la.libreview.io',
  ru: 'https://api.libreview.ru',
  cn: 'https://api-cn.myfreestyle.cn',
});

export function isRegionCode(value: string): value is RegionCode {
  return (REGION_CODES as readonly string[]).includes(value);
}

/** Base URL of `region` from the template, or null when the region is not in the allow-list. */
export function regionBaseUrl(region: string, regionUrlTemplate: string): string | null {
  if (!isRegionCode(region)) return null;
  // The production template (trailing slash or not) means the real hosts, exceptions included;
  // any other template (tests, the simulator) is used for every code alike.
  if (regionUrlTemplate.replace(/\/+$/, '') === DEFAULT_REGION_URL) return REGIONS[region];
  return regionUrlTemplate.split('{region}').join(region);
}
