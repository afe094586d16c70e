export type NoticeTone = 'info' | 'success' | 'error';

/** The one thing to do about a notice, as its button: "Undo", say. */
export interface NoticeAction {
  label: string;
  run: () => void;
}

export interface Notice {
  id: number;
  tone: NoticeTone;
  title: string;
  /** One line each: every refused file's reason, for example. */
  details: readonly string[];
  action: NoticeAction | null;
}

const successLingerMs = 6_000;
/** Problems stay longer, to be read; what failed stays in the queue's rows after. */
const problemLingerMs = 20_000;
/** More than this and the older ones fold into "N more". */
export const noticesShown = 2;

/**
 * Messages for the person that outlive the action that caused them: refused files, failed
 * commands, confirmations. Confirmations fade after a few seconds, problems after longer,
 * none while the person is reading them; the newest show, older ones fold away.
 */
export class NoticeState {
  items = $state.raw<readonly Notice[]>([]);
  #nextId = 1;

  /** All of them, not only the newest: the person unfolded the older ones. */
  expanded = $state(false);
  /** Paused while the pointer or focus is on them: nothing fades while being read. */
  #held = false;
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(
    tone: NoticeTone,
    title: string,
    details: readonly string[] = [],
    action: NoticeAction | null = null,
  ): number {
    const id = this.#nextId;
    this.#nextId += 1;
    const kept = [...this.items, { id, tone, title, details, action }];
    for (const dropped of kept.slice(0, -8)) this.#forget(dropped.id);
    this.items = kept.slice(-8);
    this.#fadeLater(id, tone === 'error' ? problemLingerMs : successLingerMs);
    return id;
  }

  /** The pointer or focus came to the notices (true) or left them. */
  hold(held: boolean): void {
    this.#held = held;
  }

  #fadeLater(id: number, ms: number): void {
    this.#timers.set(
      id,
      setTimeout(() => {
        if (this.#held) this.#fadeLater(id, 2_000);
        else this.dismiss(id);
      }, ms),
    );
  }

  #forget(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  /** A command that failed: its message is already written for people. */
  failed(what: string, error: unknown): void {
    this.push('error', what, [error instanceof Error ? error.message : String(error)]);
  }

  dismiss(id: number): void {
    this.#forget(id);
    this.items = this.items.filter((notice) => notice.id !== id);
    if (this.items.length <= noticesShown) this.expanded = false;
  }
}
