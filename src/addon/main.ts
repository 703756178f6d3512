// The add-on's entry logic: read /data/options.json, pick the MQTT broker (the user's options, else the
// Supervisor's MQTT service, else the embedded broker), log the choice without any password, and hand
// back a config object for the normal schema. No process.exit here: the CLI decides.

import { readFile } from 'node:fs/promises';
import { type Logger, registerSecret } from '../log.js';
import {
  ADDON_EMBEDDED_BROKER,
  type AddonConfigResult,
  AddonError,
  optionsToConfig,
  readAddonOptions,
  redactUrl,
} from './options.js';
import { fetchMqttService, type SupervisorMqtt } from './supervisor.js';

export const DEFAULT_OPTIONS_PATH = '/data/options.json';

export interface AddonConfigOptions {
  optionsPath?: string;
  env: NodeJS.ProcessEnv;
  fetch?: typeof globalThis.fetch;
  logger: Logger;
  /** default http://supervisor; tests point it at a fake */
  supervisorUrl?: string;
  /** Supervisor request timeout, default 10 s */
  timeoutMs?: number;
}

async function readOptionsFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AddonError(
      'options_missing',
      code === 'ENOENT'
        ? `${path} not found. "librelinkup2mqtt addon" is the Home Assistant add-on's entry point and reads ` +
            'the options the Supervisor writes there; outside Home Assistant run "librelinkup2mqtt --config config.yaml".'
        : `cannot read the add-on options ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AddonError(
      'options_invalid',
      `${path} is not valid JSON (${(error as Error).message}); save the add-on's configuration again`,
      { cause: error },
    );
  }
}

async function supervisorBroker(options: AddonConfigOptions): Promise<SupervisorMqtt | null> {
  const { env, logger } = options;
  const token = env.SUPERVISOR_TOKEN ?? env.HASSIO_TOKEN;
  if (token === undefined || token === '') {
    logger.warn('no SUPERVISOR_TOKEN in the environment (not running as a Home Assistant add-on?)');
    return null;
  }
  registerSecret(token);
  const result = await fetchMqttService({
    token,
    ...(options.supervisorUrl !== undefined ? { baseUrl: options.supervisorUrl } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (!result.ok) {
    logger.warn({ kind: result.kind }, `MQTT service from the Supervisor not available: ${result.message}`);
    return null;
  }
  registerSecret(result.service.password);
  return result.service;
}

export async function addonConfig(options: AddonConfigOptions): Promise<AddonConfigResult> {
  const { logger, env } = options;
  const path = options.optionsPath ?? DEFAULT_OPTIONS_PATH;
  const addonOptions = readAddonOptions(await readOptionsFile(path));
  for (const account of addonOptions.accounts) registerSecret(account.password);
  registerSecret(addonOptions.mqtt?.password);

  const userUrl = addonOptions.mqtt?.url;
  const service = userUrl === undefined ? await supervisorBroker(options) : null;
  const result = optionsToConfig(addonOptions, service);

  const mqtt = result.config.mqtt as { url?: string; username?: string; embedded?: { host: string } };
  const username = mqtt.username ?? null;
  switch (result.brokerSource) {
    case 'options':
      logger.info(
        { broker: 'options', url: redactUrl(mqtt.url ?? ''), username },
        'MQTT broker: from the add-on options (mqtt.url)',
      );
      break;
    case 'supervisor':
      logger.info(
        { broker: 'supervisor', url: mqtt.url, username, provider: service?.addon ?? null },
        `MQTT broker: ${service?.addon ?? 'the broker'} announced by the Supervisor at ${mqtt.url}`,
      );
      break;
    case 'embedded': {
      const open = mqtt.embedded?.host === ADDON_EMBEDDED_BROKER.host;
      logger.warn(
        { broker: 'embedded', port: ADDON_EMBEDDED_BROKER.port, hostname: env.HOSTNAME ?? null },
        open
          ? `MQTT broker: none configured and none from the Supervisor, starting the embedded broker on port ` +
              `${ADDON_EMBEDDED_BROKER.port} with your MQTT username and password. Install the Mosquitto broker ` +
              `add-on (recommended), or point Home Assistant's MQTT integration at host ` +
              `${env.HOSTNAME ?? "this add-on's hostname"}, port ${ADDON_EMBEDDED_BROKER.port}`
          : `MQTT broker: none configured and none from the Supervisor, so Home Assistant will NOT see any ` +
              `glucose entity. Install the Mosquitto broker add-on (recommended). Until then the embedded broker ` +
              `listens on 127.0.0.1 only; to expose it to Home Assistant at host ` +
              `${env.HOSTNAME ?? "this add-on's hostname"}, port ${ADDON_EMBEDDED_BROKER.port}, set mqtt.username ` +
              `and mqtt.password in the add-on options`,
      );
      break;
    }
  }
  return result;
}
