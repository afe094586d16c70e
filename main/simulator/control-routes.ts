import { handleIdentityControl } from './identity/control-routes.ts';
import { handleInspection } from './inspect.ts';
import type { ControlRoutes } from './server.ts';

/**
 * The test-only routes under /_sim: inspection, fault injection, the clock, tokens, limits and
 * the identity controls. startSimulator serves them by default; demo mode launches the simulator
 * without them, so the app's bundle does not contain them at all (`npm run check:package`).
 */
export const controlRoutes: ControlRoutes = (parts, exchange) => {
  const path = exchange.url.pathname;
  if (path.startsWith('/_sim/identity')) {
    return handleIdentityControl(parts.identity.control, exchange);
  }
  if (path.startsWith('/_sim')) return handleInspection(parts.control, exchange);
  return null;
};
