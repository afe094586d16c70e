import type { JobProblem } from './contract.ts';

/**
 * What to look up about a problem: the HTTP status, Graph's code and the request-id, as
 * "503 serviceNotAvailable, request-id 1f2e…". Kept out of the plain words (docs/upload-rules.md:
 * codes on request): the app shows it under "Details", the CLI after the message.
 */
export function problemCodes(problem: JobProblem): string | null {
  const answer = [
    problem.httpStatus === null ? null : String(problem.httpStatus),
    problem.graphCode,
  ]
    .filter((part) => part !== null && part !== '')
    .join(' ');
  const parts = [answer, problem.requestId === null ? '' : `request-id ${problem.requestId}`];
  const text = parts.filter((part) => part !== '').join(', ');
  return text === '' ? null : text;
}
