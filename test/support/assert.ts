/**
 * The test suite's assertions on errors, in one place: a DaveError is
 * checked by its stable code, never by its message.
 */
import { expect } from 'chai';
import { DaveError } from '../../lib/errors.js';

/** Asserts that `fn` throws a DaveError with `code`. */
export function throwsCode(fn: () => unknown, code: string): void {
  expect(fn).to.throw(DaveError).with.property('code', code);
}

/** Asserts that `p` rejects with a DaveError with `code`. */
export async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(DaveError);
    expect((err as DaveError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
