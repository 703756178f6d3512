// Physical and practical bounds for every value LibreLinkUp sends us. A value outside them is not a
// measurement of a living person (or not a date a Libre sensor can carry): it is treated as absent
// with a warning, never published. One table so the parser, the state-file loader and the bridge
// agree on what "plausible" means.

/** FreeStyle Libre sensors report 40..500 mg/dL (LO/HI outside); the margins are generous on purpose. */
export const GLUCOSE_MGDL = { min: 20, max: 600 } as const;

/** Upstream target range, mg/dL; outside it the defaults below are used instead. */
export const TARGET_MGDL = { min: 40, max: 400 } as const;
export const DEFAULT_TARGET_LOW_MGDL = 70;
export const DEFAULT_TARGET_HIGH_MGDL = 180;

/** No Libre reading or sensor predates the first Libre sensor (2014). */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2014, 0, 1);

/**
 * How far a reading may lie ahead of LibreLinkUp's own clock (its `Date` header) before it is
 * refused: phone clocks drift, and FactoryTimestamp is the sensor's, so a little slack is normal.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A sensor activated more than this ahead of LibreLinkUp's clock is not a real sensor. */
export const SENSOR_FUTURE_TOLERANCE_MS = 24 * 3_600_000;

/** Names are display text; anything longer is cut (topics and logs stay bounded). */
export const NAME_MAX_CHARS = 64;

/** LibreLinkUp ids are UUIDs (36 chars); anything much longer is not an id we can use. */
export const ID_MAX_CHARS = 128;

/** Decompressed size above which an answer is refused unread (a real connections answer is ~10 kB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Upstream text (error messages) that can reach MQTT, the status page or /health is cut to this. */
export const UPSTREAM_TEXT_MAX_CHARS = 300;

/** Session tokens are JWTs of well under 2 kB; anything far longer is not a token we send. */
export const TOKEN_MAX_CHARS = 8192;

/** A new topic slug is cut to this; every topic stays a few hundred bytes at most. */
export const SLUG_MAX_CHARS = 40;
