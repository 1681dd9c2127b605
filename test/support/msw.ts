// One msw server for the whole run; each suite listens for its own duration and resets overrides after each test.
import { setupServer } from 'msw/node';
import type { Test } from 'uvu';

export const server = setupServer();

export function withMsw<T>(suite: Test<T>): Test<T> {
  suite.before(() => server.listen({ onUnhandledRequest: 'error' }));
  suite.after.each(() => server.resetHandlers());
  suite.after(() => server.close());
  return suite;
}
