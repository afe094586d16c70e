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
  const override = env[dataDirVariable]?.trim();
  if (override !== undefined && override !== '') return override;
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'taskdrop');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'taskdrop');
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'taskdrop');
}
