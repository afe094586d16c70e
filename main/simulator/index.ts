import { controlRoutes } from './control-routes.ts';
import { launchSimulator, type RunningSimulator } from './launch.ts';
import type { SimulatorOptions } from './types.ts';

export type * from './types.ts';
export type * from './identity/types.ts';
export { SimulatorControl } from './control.ts';
export { IdentityControl } from './identity/index.ts';
export {
  defaultPagingRules,
  defaultThrottleRules,
  defaultUploadRules,
  type RunningSimulator,
} from './launch.ts';
export {
  parseVariantList,
  UnknownVariantError,
  variantFacts,
  variantNames,
  type SingleVariant,
  type VariantName,
} from './variants.ts';

/** The simulator for tests and tools, with its /_sim routes unless `inspection: false`. */
export function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return launchSimulator(options, (options.inspection ?? true) ? controlRoutes : null);
}
