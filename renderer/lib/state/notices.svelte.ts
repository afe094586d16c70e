export type NoticeTone = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  tone: NoticeTone;
  title: string;
  /** One line each: every refused file's reason, for example. */
  details: readonly string[];
}

const successLingerMs = 6_000;

/**
 * Messages for the person that outlive the action that caused them: refused files, failed
 * commands, confirmations. Problems stay until dismissed; confirmations fade on their own.
 */
export class NoticeState {
  items = $state.raw<readonly Notice[]>([]);
  #nextId = 1;

  push(tone: NoticeTone, title: string, details: readonly string[] = []): number {
    const id = this.#nextId;
    this.#nextId += 1;
    this.items = [...this.items, { id, tone, title, details }].slice(-4);
    if (tone !== 'error') setTimeout(() => this.dismiss(id), successLingerMs);
    return id;
  }

  /** A command that failed: its message is already written for people. */
  failed(what: string, error: unknown): void {
    this.push('error', what, [error instanceof Error ? error.message : String(error)]);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((notice) => notice.id !== id);
  }
}
