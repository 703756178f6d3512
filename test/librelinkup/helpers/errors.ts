import { LluError } from '../../../src/librelinkup/errors.js';

/** The LluError `fn` throws (fails the test if it throws nothing or something else). */
export function catchLlu(fn: () => unknown): LluError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LluError) return err;
    throw err;
  }
  throw new Error('expected an LluError');
}

/** The LluError `promise` rejects with. */
export async function rejectsLlu(promise: Promise<unknown>): Promise<LluError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LluError) return err;
    throw err;
  }
  throw new Error('expected a rejection with an LluError');
}
