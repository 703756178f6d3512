// Every MQTT topic the bridge uses, built in one place. Topic segments come from slugs and ids that
// are sanitised here, so no wildcard or separator can slip into a topic.

export function topicSafe(segment: string): string {
  return segment.replace(/[^A-Za-z0-9_-]/g, '_');
}

export class Topics {
  constructor(
    readonly base: string,
    readonly discoveryPrefix: string,
  ) {}

  bridgeState(): string {
    return `${this.base}/bridge/state`;
  }
  bridgeConnectivity(): string {
    return `${this.base}/bridge/connectivity`;
  }
  accountState(accountKey: string): string {
    return `${this.base}/bridge/${topicSafe(accountKey)}/state`;
  }
  pollRequest(): string {
    return `${this.base}/bridge/request/poll`;
  }
  patientState(slug: string): string {
    return `${this.base}/${topicSafe(slug)}/state`;
  }
  patientAvailability(slug: string): string {
    return `${this.base}/${topicSafe(slug)}/availability`;
  }
  patientReading(slug: string): string {
    return `${this.base}/${topicSafe(slug)}/reading`;
  }
  patientEvent(slug: string): string {
    return `${this.base}/${topicSafe(slug)}/event`;
  }
  haStatus(): string {
    return `${this.discoveryPrefix}/status`;
  }
  /** `<prefix>/<component>/<node>/<object>/config`: never changes for the same entity. */
  discovery(component: string, node: string, object: string): string {
    return `${this.discoveryPrefix}/${component}/${topicSafe(node)}/${topicSafe(object)}/config`;
  }
}
