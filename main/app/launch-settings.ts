import { loginServiceVariable, loopbackHttpOrigin } from '../core/auth/login-host.ts';
import { dataDirVariable } from '../core/paths.ts';

/** Test only: the Graph root of a simulator on loopback (test/electron points the app at one). */
export const graphUrlVariable = 'TASKDROP_GRAPH_URL';

/** What the environment changes about where the app keeps its queue and whom it talks to. */
export interface AppOverrides {
  /** A data folder of one's own (TASKDROP_DATA_DIR), as the CLI takes it too. */
  dataDir?: string;
  /** A simulator's Graph root and login service: honoured only by an app run unpackaged. */
  graphUrl?: string;
  loginServiceOrigin?: string;
  /** Why a variable that is set was not taken, said once at start. */
  ignored: string[];
}

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The environment's overrides. The simulator's addresses are a test hook, so an installed app
 * (`packaged`) never takes them, and even a development run takes only loopback http ones: no
 * variable can send an installed app's sign-in or files anywhere but Microsoft.
 */
export function appOverrides(env: NodeJS.ProcessEnv, packaged: boolean): AppOverrides {
  const overrides: AppOverrides = { ignored: [] };
  const dataDir = setting(env, dataDirVariable);
  if (dataDir !== undefined) overrides.dataDir = dataDir;
  const hooks = [
    [graphUrlVariable, 'graphUrl'],
    [loginServiceVariable, 'loginServiceOrigin'],
  ] as const;
  for (const [variable, key] of hooks) {
    const value = setting(env, variable);
    if (value === undefined) continue;
    const origin = loopbackHttpOrigin(value);
    if (packaged) {
      overrides.ignored.push(`${variable} is for tests and is ignored by the installed app.`);
    } else if (origin === null) {
      overrides.ignored.push(`${variable} must be a loopback http:// address (a simulator).`);
    } else {
      overrides[key] = key === 'graphUrl' ? value.replace(/\/+$/, '') : origin;
    }
  }
  return overrides;
}
