import type { SimStore } from '../store.ts';
import type { TokenBook } from '../tokens.ts';
import { IdentityControl } from './control.ts';
import { IdentityBook } from './grants.ts';
import type { IdentityOptions } from './types.ts';

export type * from './types.ts';
export { IdentityControl } from './control.ts';
export { handleIdentity, isIdentityPath } from './routes.ts';
export type { IdentityBook } from './grants.ts';

export const defaultIdentityOptions: IdentityOptions = {
  accessTokenLifetimeMs: 3_600_000,
  authCodeLifetimeMs: 600_000,
  deviceCodeLifetimeMs: 900_000,
  devicePollIntervalSeconds: 5,
  clientIds: [],
};

export interface Identity {
  book: IdentityBook;
  control: IdentityControl;
}

/** The simulated Microsoft identity platform, issuing access tokens into Graph's TokenBook. */
export function createIdentity(deps: {
  store: SimStore;
  tokens: TokenBook;
  now: () => number;
  options?: Partial<IdentityOptions>;
}): Identity {
  const book = new IdentityBook({
    store: deps.store,
    tokens: deps.tokens,
    now: deps.now,
    options: { ...defaultIdentityOptions, ...deps.options },
  });
  return { book, control: new IdentityControl(book) };
}
