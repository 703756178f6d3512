// Request/answer over a forked child's IPC channel: every request carries an id, the answer echoes it.

import type { ChildProcess } from 'node:child_process';

export interface IpcMessage {
  type: string;
  id?: number;
  [key: string]: unknown;
}

export class IpcPeer {
  private next = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (m: IpcMessage) => void; reject: (e: Error) => void }
  >();
  private readonly events: IpcMessage[] = [];
  private readonly eventWaiters: Array<{ type: string; resolve: (m: IpcMessage) => void }> = [];

  constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const m = raw as IpcMessage;
      if (m.id !== undefined && this.waiting.has(m.id)) {
        const w = this.waiting.get(m.id)!;
        this.waiting.delete(m.id);
        if (m.type === 'error') w.reject(new Error(String(m.message)));
        else w.resolve(m);
        return;
      }
      const i = this.eventWaiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.eventWaiters.splice(i, 1)[0]!.resolve(m);
      else this.events.push(m);
    });
    // A send to a child that has gone away surfaces as an 'error' event; the pending call fails on 'exit'.
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      const err = new Error(`child ${child.pid} exited (code ${code}, signal ${signal})`);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
  }

  call<T extends IpcMessage = IpcMessage>(message: IpcMessage, timeoutMs = 120_000): Promise<T> {
    const id = this.next++;
    if (!this.child.connected) {
      return Promise.reject(new Error(`child ${this.child.pid} is gone; cannot send ${message.type}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...message, id });
    });
  }

  /** The next unsolicited message of this type (or one already received). */
  event<T extends IpcMessage = IpcMessage>(type: string, timeoutMs = 60_000): Promise<T> {
    const i = this.events.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = { type, resolve: (m: IpcMessage) => resolve(m as T) };
      this.eventWaiters.push(waiter);
      setTimeout(() => {
        const j = this.eventWaiters.indexOf(waiter);
        if (j >= 0) {
          this.eventWaiters.splice(j, 1);
          reject(new Error(`no ${type} message within ${timeoutMs} ms`));
        }
      }, timeoutMs).unref();
    });
  }
}

/** In a child: answer requests with `handler`; errors go back as {type: 'error'}. */
export function serve(handler: (m: IpcMessage) => Promise<IpcMessage> | IpcMessage): void {
  process.on('message', (raw) => {
    const m = raw as IpcMessage;
    Promise.resolve()
      .then(() => handler(m))
      .then(
        (answer) => process.send?.({ ...answer, id: m.id }),
        (error: unknown) => process.send?.({ type: 'error', id: m.id, message: String(error) }),
      );
  });
}
