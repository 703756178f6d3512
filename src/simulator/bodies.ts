// JSON bodies as LibreLinkUp sends them, shaped after the HTTP dump and the fixtures in the reference
// notes. Field names and quirks are kept on purpose (uom a string on login, a number on connections;
// TrendArrow absent from graph points; sensor null without an active sensor).

import type { SimPatient, SimReading } from './patient-model.js';
import { DEFAULT_ALARM_HIGH } from './patient-model.js';
import { formatLluTimestamp } from './timestamps.js';
import type { SimUnit } from './types.js';

export interface Ticket {
  token: string;
  /** epoch seconds */
  expires: number;
  duration: number;
}

const uomNumber = (unit: SimUnit) => (unit === 'mg/dL' ? 1 : 0);

/**
 * `Value` is in the patient's unit: mmol/L with one decimal. Peers convert with /18 or /18.01559; what
 * Abbott uses is UNSURE, and clients should derive from ValueInMgPerDl anyway.
 */
export function valueInUnit(mgdl: number, unit: SimUnit): number {
  return unit === 'mg/dL' ? mgdl : Math.round((mgdl / 18) * 10) / 10;
}

export function glucoseItem(patient: SimPatient, r: SimReading, type: 0 | 1 | 3): Record<string, unknown> {
  const unit = patient.spec.unit;
  const item: Record<string, unknown> = {
    FactoryTimestamp: formatLluTimestamp(r.timestamp),
    Timestamp: formatLluTimestamp(r.timestamp, patient.spec.localOffsetMinutes ?? 60),
    type,
    ValueInMgPerDl: r.mgdl,
  };
  // TrendArrow and TrendMessage exist on measurements, never on graph points.
  if (type !== 0) Object.assign(item, { TrendArrow: r.trendArrow, TrendMessage: null });
  Object.assign(item, {
    MeasurementColor: r.measurementColor,
    GlucoseUnits: uomNumber(unit),
    Value: valueInUnit(r.mgdl, unit),
    isHigh: r.isHigh,
    isLow: r.isLow,
  });
  return item;
}

function sensorBody(patient: SimPatient): Record<string, unknown> | null {
  const s = patient.sensor;
  if (s === null) return null;
  return {
    deviceId: '',
    sn: s.serial,
    a: Math.floor(s.activatedAt / 1000),
    w: s.warmupMinutes ?? 60,
    pt: s.productType ?? 4,
    s: true,
    lj: false,
  };
}

function deviceId(patient: SimPatient): string {
  const hex = Buffer.from(patient.spec.patientId).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function connection(patient: SimPatient, at: number): Record<string, unknown> {
  const spec = patient.spec;
  const latest = patient.latest(at);
  const measurement = latest === null ? null : glucoseItem(patient, latest, 1);
  return {
    id: `c-${spec.patientId}`,
    patientId: spec.patientId,
    country: 'DE',
    status: 2,
    firstName: spec.firstName,
    lastName: spec.lastName,
    targetLow: patient.targetLow,
    targetHigh: patient.targetHigh,
    uom: uomNumber(spec.unit),
    sensor: sensorBody(patient),
    alarmRules: {
      c: true,
      h: { on: true, th: DEFAULT_ALARM_HIGH, thmm: 13.9, d: 1440, f: 0.1 },
      f: { th: 55, thmm: 3, d: 30, tl: 10, tlmm: 0.6 },
      l: {
        on: true,
        th: patient.targetLow,
        thmm: valueInUnit(patient.targetLow, 'mmol/L'),
        d: 1440,
        tl: 10,
        tlmm: 0.6,
      },
      nd: { i: 20, r: 5, l: 6 },
      p: 5,
      r: 5,
      std: {},
    },
    glucoseMeasurement: measurement,
    glucoseItem: measurement,
    glucoseAlarm: null,
    patientDevice: {
      did: deviceId(patient),
      dtid: 40068,
      v: '3.6.0',
      ll: patient.targetLow,
      hl: patient.targetHigh,
      u: latest === null ? undefined : Math.floor(latest.timestamp / 1000),
      fixedLowAlarmValues: { mgdl: 60, mmoll: 3.3 },
      alarms: false,
    },
    created: Math.floor(patient.firstAt / 1000),
  };
}

export function graphData(patient: SimPatient, at: number): Record<string, unknown> {
  const sensor = sensorBody(patient);
  return {
    connection: connection(patient, at),
    activeSensors:
      sensor === null
        ? []
        : [
            {
              sensor: { ...sensor, deviceId: deviceId(patient) },
              device: { did: deviceId(patient), dtid: 40068 },
            },
          ],
    graphData: patient.graph(at).map((r) => glucoseItem(patient, r, 0)),
  };
}

export function logbookData(patient: SimPatient, at: number): Array<Record<string, unknown>> {
  return patient.logbook(at).map((r) => ({ ...glucoseItem(patient, r, 3), alarmType: r.alarmType }));
}

export interface LoginUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  unit: SimUnit;
}

export function loginSuccess(user: LoginUser, ticket: Ticket, at: number): Record<string, unknown> {
  return {
    status: 0,
    data: {
      user: {
        id: user.id,
        firstName: user.firstName,
        lastName: user.lastName,
        email: user.email,
        country: 'DE',
        uiLanguage: 'en-US',
        communicationLanguage: 'en-US',
        accountType: 'pat',
        uom: String(uomNumber(user.unit)),
        dateFormat: '2',
        timeFormat: '2',
        emailDay: [1],
        system: { messages: {} },
        details: {},
        twoFactor: { primaryMethod: 'email', primaryValue: user.email },
        created: Math.floor(at / 1000) - 86_400 * 400,
        lastLogin: Math.floor(at / 1000),
        programs: {},
        dateOfBirth: 0,
        practices: {},
        devices: {},
        consents: { realWorldEvidence: { policyAccept: 0, declined: true } },
      },
      messages: { unread: 0 },
      notifications: { unresolved: 0 },
      authTicket: ticket,
      invitations: null,
      trustedDeviceToken: '',
    },
  };
}

const STEP_PROPS: Record<string, { componentName: string; props: Record<string, unknown> }> = {
  tou: {
    componentName: 'AcceptDocument',
    props: { reaccept: true, titleKey: 'Common.termsOfUse', type: 'tou' },
  },
  pp: {
    componentName: 'AcceptDocument',
    props: { reaccept: true, titleKey: 'Common.privacyPolicy', type: 'pp' },
  },
  verifyEmail: { componentName: 'VerifyEmail', props: {} },
};

export function loginStep(
  type: 'tou' | 'pp' | 'verifyEmail',
  email: string,
  ticket: Ticket,
): Record<string, unknown> {
  const step = STEP_PROPS[type]!;
  const props = type === 'verifyEmail' ? { email } : step.props;
  return {
    status: 4,
    data: {
      step: { type, componentName: step.componentName, props },
      user: { accountType: 'pat', country: 'DE', uiLanguage: 'en-US' },
      authTicket: ticket,
    },
  };
}

export const BAD_CREDENTIALS = { status: 2, error: { message: 'notAuthenticated' } };
export const INVALID_JWT = { message: 'invalid or expired jwt' };
export const HEADER_MISSING = { message: 'RequiredHeaderMissing' };
export const MISSING_CACHED_USER = { message: 'MissingCachedUser' };
export const PATIENT_NOT_FOUND = { status: 4, error: { message: 'couldNotLoadPatient' } };
export const MAINTENANCE = { status: 911 };

export function lockedBody(
  failures: number,
  interval: number,
  lockoutSeconds: number,
): Record<string, unknown> {
  return {
    status: 429,
    data: { code: 60, data: { failures, interval, lockout: lockoutSeconds }, message: 'locked' },
  };
}

export function versionTooOld(minimumVersion: string): Record<string, unknown> {
  return { data: { minimumVersion }, status: 920 };
}

export function cloudflarePage(host: string): string {
  return (
    '<!DOCTYPE html><html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head>' +
    `<body><h1>Sorry, you have been blocked</h1><h2>You are unable to access ${host}</h2>` +
    '<p>Cloudflare Ray ID: 8f00000000000000</p></body></html>'
  );
}

/** Cloudflare's page when the origin (LibreLinkUp) is down: an outage, not a block. */
export function cloudflareBadGateway(host: string, status: number): string {
  return (
    `<!DOCTYPE html><html lang="en-US"><head><title>${host} | ${status}: Bad gateway</title></head>` +
    '<body><h1>Bad gateway</h1><p>The web server reported a bad gateway error.</p>' +
    '<p>Cloudflare Ray ID: 8f00000000000001</p></body></html>'
  );
}

export const APPLICATION_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>Application Error</title></head><body>' +
  '<iframe src="//www.herokucdn.com/error-pages/application-error.html"></iframe></body></html>';
