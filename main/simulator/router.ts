import type { Operation } from './types.ts';

export interface RouteParams {
  listId?: string;
  taskId?: string;
  attachmentId?: string;
  sessionId?: string;
}

export interface GraphRoute {
  operation: Operation;
  version: string;
  /** `me`, a user GUID or a userPrincipalName. */
  userRef: string;
  params: RouteParams;
}

export type RouteMatch =
  { kind: 'route'; route: GraphRoute } | { kind: 'method-not-allowed' } | { kind: 'unknown' };

type ParamName = keyof RouteParams;

interface RouteShape {
  pattern: string[];
  methods: Partial<Record<string, Operation>>;
}

const shape = (pattern: string, methods: RouteShape['methods']): RouteShape => ({
  pattern: pattern.split('/'),
  methods,
});

const task = 'lists/:listId/tasks/:taskId';
const session = `${task}/attachmentSessions/:sessionId`;

// Literal segments come before parameters that could swallow them ('delta', 'createUploadSession').
const shapes: RouteShape[] = [
  shape('lists', { GET: 'listLists', POST: 'createList' }),
  shape('lists/delta', { GET: 'listDelta' }),
  shape('lists/:listId', { GET: 'getList' }),
  shape('lists/:listId/tasks', { GET: 'listTasks', POST: 'createTask' }),
  shape('lists/:listId/tasks/delta', { GET: 'taskDelta' }),
  shape(task, { GET: 'getTask', PATCH: 'updateTask', DELETE: 'deleteTask' }),
  shape(`${task}/attachments`, { GET: 'listAttachments', POST: 'createAttachment' }),
  shape(`${task}/attachments/createUploadSession`, { POST: 'createUploadSession' }),
  shape(`${task}/attachments/:attachmentId`, { GET: 'getAttachment', DELETE: 'deleteAttachment' }),
  shape(`${task}/attachments/:attachmentId/$value`, { GET: 'getAttachmentValue' }),
  shape(`${task}/attachmentSessions`, { GET: 'listUploadSessions' }),
  shape(session, { GET: 'getUploadSession', DELETE: 'deleteUploadSession' }),
  shape(`${session}/content`, { PUT: 'uploadContent' }),
];

const versions = new Set(['v1.0', 'beta']);

/** Maps `/{version}/(me|users/{id})/todo/...` to a named operation and its ids. */
export function matchGraphRoute(method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return { kind: 'unknown' };
  }
  const [version, first, ...rest] = decoded;
  if (version === undefined || !versions.has(version) || first === undefined) {
    return { kind: 'unknown' };
  }
  let userRef: string;
  let tail: string[];
  if (first.toLowerCase() === 'me') {
    userRef = 'me';
    tail = rest;
  } else if (first.toLowerCase() === 'users' && rest[0] !== undefined) {
    userRef = rest[0];
    tail = rest.slice(1);
  } else {
    return { kind: 'unknown' };
  }
  if (tail[0]?.toLowerCase() !== 'todo') return { kind: 'unknown' };
  return matchTodoPath(method, version, userRef, tail.slice(1));
}

function matchTodoPath(
  method: string,
  version: string,
  userRef: string,
  segments: string[],
): RouteMatch {
  for (const candidate of shapes) {
    const params = matchPattern(candidate.pattern, segments);
    if (params === null) continue;
    const operation = candidate.methods[method];
    if (operation !== undefined)
      return { kind: 'route', route: { operation, version, userRef, params } };
    // A PUT on the bare uploadUrl is the classic mistake (docs/graph-todo-api.md §4.2): Graph
    // answers 404.
    if (candidate.methods.GET === 'getUploadSession') return { kind: 'unknown' };
    return { kind: 'method-not-allowed' };
  }
  return { kind: 'unknown' };
}

function matchPattern(pattern: string[], segments: string[]): RouteParams | null {
  if (pattern.length !== segments.length) return null;
  const params: RouteParams = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      params[part.slice(1) as ParamName] = segment;
    } else if (part.toLowerCase() !== segment.toLowerCase()) {
      return null;
    }
  }
  return params;
}
