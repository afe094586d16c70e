import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const contractFile = join(root, 'preload/shared/contract.ts');
const schemasFile = join(root, 'preload/shared/contract-schemas.ts');

let previous: ts.Program | undefined;

/**
 * Type-checks the contract's schemas as `npm run typecheck` does, with one file's text replaced
 * by `edit` of it: the errors tsc reports for contract-schemas.ts.
 */
function schemaErrors(file: string, edit: (text: string) => string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('no tsconfig.json');
  // The shared files use no Node: without its types the check takes a fraction of the time.
  const options = { ...config.options, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => {
    const text = readFile(name);
    return text !== undefined && join(name) === file ? edit(text) : text;
  };
  // The previous program's untouched files (zod's types, mostly) are reused, not parsed again.
  const program = ts.createProgram([schemasFile], options, host, previous);
  previous = program;
  const source = program.getSourceFile(schemasFile);
  return ts
    .getPreEmitDiagnostics(program, source)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

function replaced(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('the contract and its schemas', () => {
  it('agree as they are', () => {
    expect(schemaErrors(contractFile, (text) => text)).toEqual([]);
  }, 120_000);

  it('disagree at compile time when a type gains an optional field its schema lacks', () => {
    const errors = schemaErrors(contractFile, (text) =>
      replaced(
        text,
        'export interface TaskQuery {',
        'export interface TaskQuery {\n  drift?: string;',
      ),
    );
    expect(errors.join('\n')).toMatch(/mismatched: "findTasks"/);
  }, 120_000);

  it('disagree at compile time when a schema gains an optional field its type lacks', () => {
    const original = readFileSync(schemasFile, 'utf8');
    const errors = schemaErrors(schemasFile, () =>
      replaced(
        original,
        'size: z.number().int().min(0)',
        'drift: z.string().optional(),\n      size: z.number().int().min(0)',
      ),
    );
    expect(errors.join('\n')).toMatch(/mismatched/);
  }, 120_000);
});
