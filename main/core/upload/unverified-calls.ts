import type { GraphClient } from '../graph/client.ts';
import { isGraphError, type GraphError } from '../graph/errors.ts';
import type { ByteRange } from '../graph/types.ts';
import type { AccountKnowledge } from '../queue/service-knowledge.ts';

/** What asking an upload session its state gave. */
export type SessionAnswer =
  | { kind: 'state'; nextExpectedRanges: ByteRange[] }
  /** 404/410: expired, or completed. */
  | { kind: 'gone'; error: GraphError }
  /** The service does not answer `GET {uploadUrl}`: the session cannot be resumed. */
  | { kind: 'unaskable' };

/**
 * The two calls no public source confirms for To Do (docs/graph-unknowns.md §1): asking a session
 * its state and listing a task's sessions. Each refusal that says "not offered here" (a 4xx other
 * than 404/410 for the session, any 4xx for the list) is remembered for the account, so later
 * uploads go straight to the fallback (upload rule 11) until the fact is due to be looked at again.
 */
export class UnverifiedCalls {
  readonly #graph: GraphClient;
  readonly #knowledge: AccountKnowledge;
  readonly #signal: AbortSignal;

  constructor(graph: GraphClient, knowledge: AccountKnowledge, signal: AbortSignal) {
    this.#graph = graph;
    this.#knowledge = knowledge;
    this.#signal = signal;
  }

  async askSession(uploadUrl: string): Promise<SessionAnswer> {
    if (this.#knowledge.current('session-get') === 'unsupported') return { kind: 'unaskable' };
    try {
      const state = await this.#graph.getUploadSession(uploadUrl, { signal: this.#signal });
      this.#knowledge.note('session-get', 'supported');
      return { kind: 'state', nextExpectedRanges: state.nextExpectedRanges };
    } catch (error) {
      if (!isGraphError(error)) throw error;
      if (error.kind === 'session-gone') return { kind: 'gone', error };
      if (error.kind !== 'permanent') throw error;
      this.#knowledge.learn('session-get', 'unsupported');
      return { kind: 'unaskable' };
    }
  }

  /**
   * Ids of the task's live sessions, or null when the service does not list them. A 404 is taken
   * for "not offered" too: were the task gone instead, creating the session next says so.
   */
  async liveSessions(listId: string, taskId: string): Promise<string[] | null> {
    if (this.#knowledge.current('session-list') === 'unsupported') return null;
    try {
      const ids = await this.#graph.listUploadSessions(listId, taskId, { signal: this.#signal });
      this.#knowledge.note('session-list', 'supported');
      return ids;
    } catch (error) {
      if (!isGraphError(error) || (error.kind !== 'permanent' && error.kind !== 'not-found')) {
        throw error;
      }
      this.#knowledge.learn('session-list', 'unsupported');
      return null;
    }
  }
}
