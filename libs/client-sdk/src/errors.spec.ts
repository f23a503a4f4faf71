import { CATALOGUE } from '@junction/core';
import { JSON_RPC_CODES } from '@junction/gateway';
import { ERROR_CODES } from './errors';

// The SDK carries its own copy of the catalogue (no runtime code of core in a browser): it must not drift.
describe('the error codes of the SDK', () => {
  it('are core\'s codes, with the gateway\'s JSON-RPC numbers', () => {
    expect(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, { rpcCode }]) => [code, rpcCode]))).toEqual(JSON_RPC_CODES);
  });

  it("say retryable where core's catalogue does", () => {
    expect(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, { retryable }]) => [code, retryable]))).toEqual(
      Object.fromEntries(Object.entries(CATALOGUE).map(([code, { retryable }]) => [code, retryable])),
    );
  });
});
