import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { Settings } from '../../../preload/shared/contract.ts';
import { settingBounds, uploadMbPerWindow } from '../../../preload/shared/limits.ts';
import { desktopPlatformOf, shortcutProblem } from '../../../preload/shared/accelerator.ts';

export const defaultSettings: Settings = {
  maxConcurrentUploads: 3,
  uploadBudgetMb: uploadMbPerWindow,
  startAtLogin: false,
  allowWeakTokenStorage: false,
  globalShortcut: null,
};

const bounded = ({ min, max }: { min: number; max: number }) => z.number().int().min(min).max(max);

/** A global shortcut must follow the rules of preload/shared/accelerator.ts, on this computer's OS. */
const globalShortcut = z
  .string()
  .max(100)
  .superRefine((text, context) => {
    const problem = shortcutProblem(text, desktopPlatformOf(process.platform));
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  })
  .nullable();

/** What a person may set, with the bounds Graph's mailbox limits allow. */
export const settingsSchema = z.object({
  maxConcurrentUploads: bounded(settingBounds.maxConcurrentUploads),
  uploadBudgetMb: bounded(settingBounds.uploadBudgetMb),
  startAtLogin: z.boolean(),
  allowWeakTokenStorage: z.boolean(),
  globalShortcut,
});

/** Settings in the queue database, one row per key, validated on the way in and out. */
export class SettingsStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  get(): Settings {
    const rows = this.#db
      .prepare<[], { key: string; value: string }>('SELECT key, value FROM settings')
      .all();
    const stored: Record<string, unknown> = {};
    for (const row of rows) stored[row.key] = JSON.parse(row.value) as unknown;
    // A value an older or newer taskdrop wrote that no longer fits falls back to its default.
    const merged = { ...defaultSettings };
    for (const key of Object.keys(defaultSettings) as (keyof Settings)[]) {
      const field = settingsSchema.shape[key].safeParse(stored[key]);
      if (field.success) Object.assign(merged, { [key]: field.data });
    }
    return merged;
  }

  /** Throws a ZodError naming the field when a value is out of bounds. */
  update(changes: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.get(), ...changes });
    const write = this.#db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(next)) write.run(key, JSON.stringify(value));
    })();
    return next;
  }
}
