import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import type { FactFinding } from '../../preload/shared/contract.ts';
import { serviceFactIds } from '../../preload/shared/contract.ts';
import { scratchLedgerPath } from '../../main/core/doctor/scratch-ledger.ts';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { scratchTitle } from '../../main/core/doctor/service-probe.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import {
  variantFacts,
  variantNames,
  type SingleVariant,
  type VariantName,
} from '../../main/simulator/variants.ts';
import { finished, runCli, spawnCli } from '../support/cli.ts';
import { listByName, type Collection, type TaskJson } from '../support/graph-sim.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-doctor-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The facts a variant answers differently; session lifetime is probed, not stored. */
function differingFacts(variant: VariantName | null): string[] {
  if (variant === null) return [];
  const singles = variantNames.filter((name): name is SingleVariant => name !== 'pessimistic');
  const changed = variant === 'pessimistic' ? singles : [variant as SingleVariant];
  const facts = changed.map((name) =>
    name === 'short-sessions' ? 'session-lifetime' : variantFacts[name],
  );
  return serviceFactIds.filter((fact) => facts.includes(fact));
}

function live(sim: RunningSimulator, dataDir: string) {
  return spawnCli(
    ['doctor', '--live', '--json', '--graph-url', sim.graphUrl, '--data-dir', dataDir],
    { TASKDROP_ACCESS_TOKEN: sim.testToken },
  );
}

function findings(stdout: string): FactFinding[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as FactFinding);
}

async function inspect<T>(sim: RunningSimulator, path: string): Promise<T> {
  const response = await fetch(`${sim.inspectUrl}/${path}`);
  return (await response.json()) as T;
}

async function scratchTasks(sim: RunningSimulator): Promise<TaskJson[]> {
  const list = await listByName(sim, 'Tasks');
  const response = await fetch(
    `${sim.graphUrl}/me/todo/lists/${encodeURIComponent(list.id)}/tasks?$top=200`,
    {
      headers: { Authorization: `Bearer ${sim.testToken}` },
    },
  );
  const page = (await response.json()) as Collection<TaskJson>;
  expect(page['@odata.nextLink']).toBeUndefined();
  return page.value.filter((task) => task.title === scratchTitle);
}

/** Nothing the check made is left: no scratch task, no session, no self-check attachment. */
async function expectNothingLeft(sim: RunningSimulator, dataDir: string): Promise<void> {
  expect(await scratchTasks(sim)).toEqual([]);
  expect(await inspect<unknown[]>(sim, 'sessions')).toEqual([]);
  const attachments = await inspect<{ name: string }[]>(sim, 'attachments');
  expect(
    attachments.filter((attachment) => attachment.name.startsWith('taskdrop-self-check')),
  ).toEqual([]);
  const ledger = scratchLedgerPath(dataDir);
  if (existsSync(ledger)) expect(JSON.parse(readFileSync(ledger, 'utf8'))).toEqual({ runs: [] });
}

function storedFacts(dataDir: string): Record<string, unknown> {
  const db = new Database(join(dataDir, 'queue.sqlite3'), { readonly: true });
  try {
    const rows = db.prepare('SELECT fact, value, source FROM service_facts').all() as {
      fact: string;
      value: string;
      source: string;
    }[];
    expect(new Set(rows.map((row) => row.source))).toEqual(new Set(['doctor']));
    return Object.fromEntries(rows.map((row) => [row.fact, JSON.parse(row.value) as unknown]));
  } finally {
    db.close();
  }
}

describe('taskdrop doctor --live against each simulator variant', () => {
  const cases: (VariantName | null)[] = [null, ...variantNames];
  it.each(cases)('reports exactly the variant %s, and deletes all it made', async (variant) => {
    const sim = await startSimulator(variant === null ? {} : { variants: [variant] });
    const dataDir = join(dir, variant ?? 'default');
    try {
      const result = await finished(live(sim, dataDir));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = findings(result.stdout);
      expect(lines.map((line) => line.fact)).toEqual([...serviceFactIds]);
      for (const line of lines) {
        expect(line).toMatchObject({ expected: expect.any(String), seen: expect.any(String) });
      }
      expect(lines.filter((line) => line.agrees !== true).map((line) => line.fact)).toEqual(
        differingFacts(variant),
      );
      await expectNothingLeft(sim, dataDir);
      const stored = storedFacts(dataDir);
      if (variant === null) {
        expect(stored).toEqual({
          'session-get': 'supported',
          'session-list': 'supported',
          'resend-answer': 416,
          'intermediate-casing': 'pascal',
          'location-header': 'present',
          'size-limit': 26_214_400,
          'empty-inline': 'accepted',
        });
      }
      if (variant === 'pessimistic') {
        expect(stored).toMatchObject({
          'session-get': 'unsupported',
          'session-list': 'unsupported',
          'resend-answer': 400,
          'intermediate-casing': 'camel',
          'size-limit': 25_000_000,
          'empty-inline': 'refused',
          'page-size': 50,
        });
      }
    } finally {
      await sim.close();
    }
  });
});

describe('taskdrop doctor --live, interrupted', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  /** Starts a check that stalls at its first upload session, once its scratch task exists. */
  async function stalledCheck(dataDir: string) {
    sim.control.clearFaults();
    sim.control.addFault({
      operation: 'createUploadSession',
      action: { type: 'delay', ms: 4_000 },
    });
    const child = live(sim, dataDir);
    const result = finished(child);
    // A child process starting on a busy machine: seconds, not milliseconds.
    await waitUntil(
      async () => (await scratchTasks(sim)).length > 0,
      'the check to make its scratch task',
      15_000,
      50,
    );
    return { child, result };
  }

  it('deletes what it made when stopped with Ctrl-C', async () => {
    const dataDir = join(dir, 'ctrl-c');
    const { child, result } = await stalledCheck(dataDir);
    child.kill('SIGINT');
    const outcome = await result;
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toContain('What the check made is deleted');
    await expectNothingLeft(sim, dataDir);
  }, 60_000);

  it("cleans up a killed run's scratch task on the next run", async () => {
    const dataDir = join(dir, 'killed');
    const { child, result } = await stalledCheck(dataDir);
    child.kill('SIGKILL');
    expect((await result).signal).toBe('SIGKILL');
    expect(await scratchTasks(sim)).toHaveLength(1);
    const ledger = JSON.parse(readFileSync(scratchLedgerPath(dataDir), 'utf8')) as {
      runs: unknown[];
    };
    expect(ledger.runs).toHaveLength(1);

    sim.control.clearFaults();
    const again = await runCli(
      ['doctor', '--live', '--json', '--graph-url', sim.graphUrl, '--data-dir', dataDir],
      { TASKDROP_ACCESS_TOKEN: sim.testToken },
    );
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(findings(again.stdout).every((line) => line.agrees)).toBe(true);
    await expectNothingLeft(sim, dataDir);
  }, 60_000);
});

describe('taskdrop doctor --live while the app holds the data folder', () => {
  it('says so, and where the app runs the same check', async () => {
    const sim = await startSimulator();
    const dataDir = join(dir, 'held');
    const db = openQueueDatabase(dataDir);
    try {
      const result = await finished(live(sim, dataDir));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is already using');
      expect(result.stderr).toContain('Settings → About → "Check the connection with To Do"');
      expect(await scratchTasks(sim)).toEqual([]);
    } finally {
      db.close();
      await sim.close();
    }
  });
});

describe('what doctor --live finds, the engine uses at once', () => {
  it('fails an empty file without a request where the check saw empty inline files refused', async () => {
    const sim = await startSimulator({ variants: ['no-empty-inline'] });
    const dataDir = join(dir, 'knowledge');
    const env = { TASKDROP_ACCESS_TOKEN: sim.testToken };
    const common = ['--graph-url', sim.graphUrl, '--data-dir', dataDir];
    try {
      const check = await runCli(['doctor', '--live', '--json', ...common], env);
      expect(check.code).toBe(0);
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, '');
      const since = sim.control.requests().at(-1)?.seq ?? 0;
      const upload = await runCli(
        [
          'upload',
          empty,
          '--list',
          'Tasks',
          '--task',
          'Empty file test',
          '--create-task',
          ...common,
        ],
        env,
      );
      expect(upload.code).toBe(1);
      expect(upload.stdout).toContain('does not take empty attachments');
      const attempts = sim.control
        .requests(since)
        .filter(
          (entry) =>
            entry.operation === 'createAttachment' || entry.operation === 'createUploadSession',
        );
      expect(attempts).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
