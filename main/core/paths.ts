import { homedir } from 'node:os';
import { join } from 'node:path';

export const dataDirVariable = 'TASKDROP_DATA_DIR';

/**
 * Where taskdrop keeps its queue: the same folder Electron's `userData` names for an app called
 * taskdrop, so the tray app and the CLI share one queue.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = setting(env, dataDirVariable);
  if (override !== undefined) return override;
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'taskdrop');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'taskdrop');
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'taskdrop');
}

export const logDirVariable = 'TASKDROP_LOG_DIR';

/**
 * Where taskdrop writes its log: the folder Electron's `app.getPath('logs')` names for an app
 * called taskdrop (macOS ~/Library/Logs/taskdrop, elsewhere `logs` in the data folder), so the
 * app, the CLI and `npm run web` log to one place. A data folder of one's own (`dataDir` from
 * --data-dir, or TASKDROP_DATA_DIR: tests, a second queue) keeps its log inside it;
 * TASKDROP_LOG_DIR wins over all.
 */
export function defaultLogDir(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = setting(env, logDirVariable);
  if (override !== undefined) return override;
  const ownDataDir = dataDir ?? setting(env, dataDirVariable);
  if (ownDataDir !== undefined) return join(ownDataDir, 'logs');
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 'taskdrop');
  return join(defaultDataDir(env, platform, home), 'logs');
}

/** An environment variable's value, undefined when unset or blank. */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}
