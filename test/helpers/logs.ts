import { Writable } from 'node:stream';

export interface LogCapture {
  lines: string[];
  text(): string;
}

/** A pino destination that keeps every line, for asserting on logs (and on what they must not contain). */
export function captureLogs(): { capture: LogCapture; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { capture: { lines, text: () => lines.join('\n') }, destination };
}
