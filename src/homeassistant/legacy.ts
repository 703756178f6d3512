// Before bridge and account entities were scoped by base_topic, every instance used the default
// instance's ids. An instance with its own base_topic now has new ids, so its old retained discovery
// would linger as duplicate entities. These rules find that old discovery and tell whether it is
// ours (its availability is our bridge state topic) or another bridge's, which is left alone.

import { ACCOUNT_ENTITIES } from './bridge-entities.js';
import { PREFIX } from './discovery.js';

/** The old bridge entities' config topics, as one subscription filter. */
export function legacyBridgeFilter(discoveryPrefix: string): string {
  return `${discoveryPrefix}/+/${PREFIX}_bridge/+/config`;
}

/** The old config topics of one account's entities. */
export function legacyAccountTopics(discoveryPrefix: string, accountKey: string): string[] {
  return ACCOUNT_ENTITIES.map(
    (e) => `${discoveryPrefix}/${e.component}/${PREFIX}_${accountKey}/${e.key}/config`,
  );
}

/** Whether a retained config payload is one this instance published under the old ids. */
export function isOwnLegacyConfig(payload: string, bridgeStateTopic: string): boolean {
  if (payload === '') return false;
  try {
    const config = JSON.parse(payload) as { availability?: Array<{ topic?: unknown }> };
    return (
      Array.isArray(config.availability) && config.availability.some((a) => a?.topic === bridgeStateTopic)
    );
  } catch {
    return false;
  }
}
