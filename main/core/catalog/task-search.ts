import type { TaskView } from '../../../preload/shared/contract.ts';

/** Lower case without accents, so "Resume" finds "Résumé". */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/**
 * Ranks titles against the typed words: every word must appear; a title that starts with the
 * query beats one with a word starting with it, which beats a match inside a word.
 */
export function searchTasks(tasks: readonly TaskView[], text: string, limit: number): TaskView[] {
  const query = normalize(text.trim());
  const words = query.split(/\s+/).filter(Boolean);
  if (words.length === 0) return tasks.slice(0, limit);
  const scored: { task: TaskView; score: number }[] = [];
  for (const task of tasks) {
    const title = normalize(task.title);
    if (!words.every((word) => title.includes(word))) continue;
    let score = title.startsWith(query) ? 0 : 2;
    if (
      score > 0 &&
      words.every((word) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(word)}`, 'u').test(title))
    ) {
      score = 1;
    }
    scored.push({ task, score });
  }
  scored.sort((a, b) => a.score - b.score || a.task.title.localeCompare(b.task.title));
  return scored.slice(0, limit).map((entry) => entry.task);
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
