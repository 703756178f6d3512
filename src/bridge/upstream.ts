// What an account's poller needs of the LibreLinkUp client (librelinkup/client.ts, or a fake).

import type { ConnectionsAnswer } from '../librelinkup/client.js';
import type { Connection, Graph } from '../librelinkup/model.js';

export interface UpstreamClient {
  connections(): Promise<Connection[]>;
  /** connections with LibreLinkUp's clock and per-entry issues; clients without it are judged by the local clock */
  connectionsAnswer?(): Promise<ConnectionsAnswer>;
  graph(patientId: string): Promise<Graph>;
  readonly stats: { requests: number; logins: number };
}
