import type { FactFinding, ServiceFactId } from '../../../preload/shared/contract.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import { isGraphError } from '../graph/errors.ts';

/**
 * Each probed fact in a few words, and what the simulator (and with it the engine's default)
 * assumes: the "simulator today" column of docs/graph-unknowns.md §1–§4.
 */
export const factSpecs: Readonly<Record<ServiceFactId, { title: string; expected: string }>> = {
  'session-get': {
    title: 'Asking an upload session where it stands (GET uploadUrl)',
    expected: '200 with nextExpectedRanges',
  },
  'session-list': {
    title: "Listing a task's upload sessions",
    expected: '200, the live sessions listed',
  },
  'resend-answer': {
    title: 'A range sent again at the wrong offset',
    expected: 'refused with 416',
  },
  'intermediate-casing': {
    title: 'Keys of the answer to a range',
    expected: 'PascalCase (NextExpectedRanges)',
  },
  'location-header': {
    title: 'The answer to the last range',
    expected: '201, Location ends in the attachment id',
  },
  'size-limit': {
    title: 'Largest attachment an upload session takes',
    expected: `${maxAttachmentBytes.toLocaleString('en-US')} bytes`,
  },
  'empty-inline': {
    title: 'A 0-byte file sent inline (empty contentBytes)',
    expected: '201, a 0-byte attachment',
  },
  'page-size': {
    title: 'Tasks per page without $top',
    expected: '100 a page',
  },
  'session-lifetime': {
    title: 'How long an upload session lives',
    expected: '15 minutes',
  },
};

export function finding(
  fact: ServiceFactId,
  seen: string,
  agrees: boolean,
  evidence: string | null = null,
): FactFinding {
  return {
    fact,
    title: factSpecs[fact].title,
    expected: factSpecs[fact].expected,
    seen,
    agrees,
    evidence,
  };
}

/** A fact the check could not get to: a step it needs failed first. */
export function untold(fact: ServiceFactId, reason: string): FactFinding {
  return { ...finding(fact, `not checked: ${reason}`, false), agrees: null };
}

/** What the service answered, as a bug report needs it: status, code, request-id. */
export function evidenceOf(error: unknown): string {
  if (!isGraphError(error)) return error instanceof Error ? error.message : String(error);
  const parts = [
    error.status === null
      ? error.code
      : `HTTP ${error.status}${error.code === null ? '' : ` ${error.code}`}`,
    error.requestId === null ? null : `request-id ${error.requestId}`,
  ];
  return parts.filter((part) => part !== null).join(', ');
}

/** The status of a refusal in a few words: "405 MethodNotAllowed". */
export function refusalText(error: unknown): string {
  if (!isGraphError(error) || error.status === null) return `failed (${evidenceOf(error)})`;
  return `${error.status}${error.code === null ? '' : ` ${error.code}`}`;
}
