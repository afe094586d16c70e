import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Comments cite the repository's own docs/ (docs/README.md), never a document the next engineer
 * cannot open: the product brief, a folder outside the clone, or "reference §N".
 */
const root = new URL('../..', import.meta.url).pathname;
const sourceFolders = ['main', 'preload', 'renderer', 'scripts'];
const sourceFile = /\.(ts|js|cjs|mjs|svelte|html|css)$/;

const forbidden: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /\bBRIEF\b/, why: 'the product brief is not in the repository' },
  { pattern: /\.\.\/shared\b/, why: 'a folder outside the repository' },
  { pattern: /\breference §/, why: 'cite docs/graph-todo-api.md §N instead' },
];

function filesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && sourceFile.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').includes('node_modules'));
}

const sources = sourceFolders.flatMap(filesUnder);

/** Each line of the sources where `test` finds something, as "path:line: text". */
function linesWhere(test: (line: string) => string | null): string[] {
  return sources.flatMap((path) =>
    readFileSync(join(root, path), 'utf8')
      .split('\n')
      .flatMap((line, index) => {
        const finding = test(line);
        return finding === null ? [] : [`${path}:${index + 1}: ${finding}`];
      }),
  );
}

const ruleCount = (
  readFileSync(join(root, 'docs/upload-rules.md'), 'utf8').match(/^\d+\. /gm) ?? []
).length;

describe('comments cite the docs in the repository', () => {
  it('reads the sources (a path mistake would let everything pass)', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources).toContain('main/core/queue/schema.ts');
    expect(sources.some((path) => path.endsWith('.svelte'))).toBe(true);
    expect(ruleCount).toBeGreaterThanOrEqual(11);
  });

  it('never cites the brief, ../shared or "reference §"', () => {
    const found = linesWhere((line) => {
      const hit = forbidden.find(({ pattern }) => pattern.test(line));
      return hit === undefined ? null : `${hit.why}: ${line.trim()}`;
    });
    expect(found).toEqual([]);
  });

  it('cites only docs files that exist', () => {
    const found = linesWhere((line) => {
      const missing = [...line.matchAll(/\bdocs\/([\w-]+\.md)/g)]
        .map((match) => match[0])
        .filter((doc) => !existsSync(join(root, doc)));
      return missing.length === 0 ? null : `no such file ${missing.join(', ')}`;
    });
    expect(found).toEqual([]);
  });

  it('cites only upload rules docs/upload-rules.md has', () => {
    const found = linesWhere((line) => {
      const cited = [...line.matchAll(/docs\/upload-rules\.md,? rules? (\d+)/g)].map((match) =>
        Number(match[1]),
      );
      const unknown = cited.filter((rule) => rule < 1 || rule > ruleCount);
      return unknown.length === 0 ? null : `no rule ${unknown.join(', ')}: ${line.trim()}`;
    });
    expect(found).toEqual([]);
  });
});
