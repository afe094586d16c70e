/**
 * Microsoft Graph's limits that taskdrop's every process must read alike: the engine enforces
 * them, the UI and the CLI state them. Each is written here once.
 */

/** Graph's limit for a To Do attachment: 25 MB, read as 25 × 2^20 (docs/upload-rules.md rule 1). */
export const maxAttachmentBytes = 26_214_400;

/** Requests one account may have in flight at once (docs/upload-rules.md rule 6). */
export const maxConcurrentRequests = 4;

/**
 * Upload volume per account per 5 minutes: "150 MB" (docs/upload-rules.md rule 6), read as the
 * smaller 150,000,000 bytes (docs/graph-unknowns.md) where bytes are paced.
 */
export const uploadMbPerWindow = 150;
export const uploadBytesPerWindow = uploadMbPerWindow * 1_000_000;

/** What a person may set in Settings, within those limits; the engine refuses anything else. */
export const settingBounds = {
  maxConcurrentUploads: { min: 1, max: maxConcurrentRequests },
  uploadBudgetMb: { min: 10, max: uploadMbPerWindow },
} as const;
