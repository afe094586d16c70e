import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NoticeState, noticesShown } from '../../renderer/lib/state/notices.svelte.ts';
import { SelectionState } from '../../renderer/lib/state/selection.svelte.ts';

/** A derived value over the selection, as a component would read it: it must follow. */
class TickedCount {
  readonly selection = new SelectionState();
  readonly count = $derived(this.selection.ids.size);
}

describe('SelectionState', () => {
  const order = [10, 11, 12, 13, 14];

  it('toggles rows, and shift-click ticks the range from the anchor in the order shown', () => {
    const ticked = new TickedCount();
    const { selection } = ticked;
    selection.toggle(11, false, order);
    selection.toggle(13, true, order);
    expect(selection.list().sort()).toEqual([11, 12, 13]);
    expect(ticked.count).toBe(3);
    // Backwards from the new anchor (13) also works.
    selection.toggle(10, true, order);
    expect(selection.list().sort()).toEqual([10, 11, 12, 13]);
    // A plain click on a ticked row unticks only it.
    selection.toggle(12, false, order);
    expect(selection.has(12)).toBe(false);
    expect(ticked.count).toBe(3);
  });

  it('forgets rows that left the queue, and an anchor that left makes shift-click a plain click', () => {
    const selection = new SelectionState();
    selection.toggle(12, false, order);
    selection.forget([12]);
    expect(selection.size).toBe(0);
    selection.toggle(14, true, order);
    expect(selection.list()).toEqual([14]);
  });

  it('ticks all the visible rows, and unticking all clears the anchor too', () => {
    const selection = new SelectionState();
    selection.setAll(order, true);
    expect(selection.size).toBe(5);
    selection.setAll(order, false);
    expect(selection.size).toBe(0);
    selection.toggle(13, true, order);
    expect(selection.list()).toEqual([13]);
  });
});

describe('NoticeState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets confirmations fade after seconds, problems after longer', () => {
    const notices = new NoticeState();
    notices.push('success', '3 files attached.');
    notices.failed('Pausing did not work', new Error('The engine is closed.'));
    expect(notices.items.map((notice) => notice.details)).toEqual([[], ['The engine is closed.']]);
    vi.advanceTimersByTime(6_000);
    expect(notices.items.map((notice) => notice.tone)).toEqual(['error']);
    vi.advanceTimersByTime(14_000);
    expect(notices.items).toEqual([]);
  });

  it('keeps what is being read, and lets it fade once the pointer leaves', () => {
    const notices = new NoticeState();
    notices.push('info', 'Removed from the queue.');
    notices.hold(true);
    vi.advanceTimersByTime(30_000);
    expect(notices.items).toHaveLength(1);
    notices.hold(false);
    vi.advanceTimersByTime(2_000);
    expect(notices.items).toEqual([]);
  });

  it('keeps the newest eight, and folds back once no more than it shows are left', () => {
    const notices = new NoticeState();
    for (let n = 1; n <= 10; n += 1) notices.push('error', `problem ${n}`);
    expect(notices.items.map((notice) => notice.title)).toEqual(
      Array.from({ length: 8 }, (_, index) => `problem ${index + 3}`),
    );
    notices.expanded = true;
    for (const notice of notices.items.slice(0, -noticesShown - 1)) notices.dismiss(notice.id);
    expect(notices.expanded).toBe(true);
    notices.dismiss(notices.items[0]!.id);
    expect(notices.items).toHaveLength(noticesShown);
    expect(notices.expanded).toBe(false);
    // The two dropped when the ninth and tenth came never fade into anything later.
    vi.advanceTimersByTime(20_000);
    expect(notices.items).toEqual([]);
  });
});
