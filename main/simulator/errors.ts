import type { UploadRules } from './types.ts';

/** Graph's error vocabulary as the simulator speaks it (docs/graph-todo-api.md §6). */
export interface GraphErrorReply {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): GraphErrorReply {
  return headers === undefined ? { status, code, message } : { status, code, message, headers };
}

export const notFound = (what: string): GraphErrorReply =>
  graphError(404, 'itemNotFound', `The requested ${what} was not found.`);

export const badRequest = (message: string): GraphErrorReply =>
  graphError(400, 'invalidRequest', message);

/** An attachment over the size cap, at createUploadSession or at POST. */
export function tooLarge(rules: UploadRules): GraphErrorReply {
  const { status, code } = rules.sessionTooLarge;
  return graphError(
    status,
    code,
    `The attachment size exceeds the limit of ${rules.maxAttachmentBytes} bytes.`,
  );
}

/** What a route that does not exist answers (mirrors the PHP SDK's PUT on a bare uploadUrl). */
export const unknownRoute = (): GraphErrorReply => graphError(404, 'UnknownError', 'Unknown Error');

const statusCodes: Record<number, string> = {
  429: 'ApplicationThrottled',
  500: 'generalException',
  502: 'badGateway',
  503: 'serviceNotAvailable',
  504: 'gatewayTimeout',
};

export function defaultCodeFor(status: number): string {
  return statusCodes[status] ?? 'invalidRequest';
}

export function errorBody(
  reply: GraphErrorReply,
  requestId: string,
  clientRequestId: string,
  date: string,
): string {
  const innerError = { date, 'request-id': requestId, 'client-request-id': clientRequestId };
  return JSON.stringify({ error: { code: reply.code, message: reply.message, innerError } });
}
