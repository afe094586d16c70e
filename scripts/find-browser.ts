import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Chromium-based browser the browser tests drive through playwright-core (never Playwright's
 * own download): $TASKDROP_CHROMIUM when set, else the usual place of Chromium, Chrome or Edge
 * on this OS. GitHub's runners have Chrome on all three.
 */
export const browserVariable = 'TASKDROP_CHROMIUM';

export function browserCandidates(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const given = env[browserVariable]?.trim();
  if (given !== undefined && given !== '') return [given];
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter(
      (root): root is string => root !== undefined && root !== '',
    );
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
      join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
  ];
}

/** The first candidate that exists; null when there is none. */
export function findBrowser(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | null {
  return browserCandidates(env, platform).find((path) => existsSync(path)) ?? null;
}
