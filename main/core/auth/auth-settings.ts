import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.ts';
import { clientIdVariable } from './msal-config.ts';

/** Sign-in settings of a data folder: no secrets, only choices. */
const authSettingsSchema = z.object({
  /** The application (client) id of the person's own app registration. */
  clientId: z.string().optional(),
  /** The person chose, with a warning, to keep tokens in a plain-text file (no keychain). */
  tokenStore: z.enum(['plaintext-file']).optional(),
});
export type AuthSettings = z.infer<typeof authSettingsSchema>;

export const authSettingsPath = (dataDir: string): string => join(dataDir, 'auth.json');

export function readAuthSettings(dataDir: string): AuthSettings {
  let text: string;
  try {
    text = readFileSync(authSettingsPath(dataDir), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = authSettingsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export async function updateAuthSettings(
  dataDir: string,
  changes: AuthSettings,
): Promise<AuthSettings> {
  const next = { ...readAuthSettings(dataDir), ...changes };
  await writeFileAtomic(
    authSettingsPath(dataDir),
    Buffer.from(`${JSON.stringify(next, null, 2)}\n`),
  );
  return next;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isClientId(text: string): boolean {
  return guid.test(text);
}

/** The client id to sign in with: given now, from the environment, or saved in settings. */
export function resolveClientId(
  given: string | undefined,
  env: NodeJS.ProcessEnv,
  settings: AuthSettings,
): string | undefined {
  const candidates = [given, env[clientIdVariable], settings.clientId];
  return candidates
    .map((value) => value?.trim())
    .find((value) => value !== undefined && value !== '');
}
