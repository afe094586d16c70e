export { GraphClient } from './client.ts';
export type { AccessTokenProvider, GraphClientOptions, SessionDeletion } from './client.ts';
export {
  GraphError,
  classifyStatus,
  isGraphError,
  isSessionOperation,
  parseRetryAfter,
} from './errors.ts';
export type { GraphErrorInit, GraphErrorKind } from './errors.ts';
export { nextOffset, parseByteRange, parseRanges } from './parse.ts';
export { attachmentIdFromLocation, uploadContentUrl } from './urls.ts';
export type * from './types.ts';
