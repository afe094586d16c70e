import { describe, expect, it } from 'vitest';
import type { JobProblem, JobState, JobView, NextStep } from '../../preload/shared/contract.ts';
import { jobStates } from '../../preload/shared/contract.ts';
import {
  activeStates,
  canApply,
  canTransition,
  endedStates,
  finishedStates,
  initialState,
  pendingStates,
  queueCommands,
  runnableStates,
  settledStates,
  standingStates,
  transitions,
  type QueueCommand,
} from '../../preload/shared/job-states.ts';
import { menuActions, primaryActions } from '../../renderer/lib/row-actions.ts';

const commands = Object.keys(queueCommands) as QueueCommand[];
const sorted = (states: Iterable<JobState>): JobState[] => [...new Set(states)].sort();

function reachableFrom(start: JobState): Set<JobState> {
  const seen = new Set<JobState>([start]);
  const next = [start];
  for (let state = next.pop(); state !== undefined; state = next.pop()) {
    for (const to of transitions[state]) {
      if (!seen.has(to)) next.push(to);
      seen.add(to);
    }
  }
  return seen;
}

describe('the job-state table', () => {
  it('reaches every state from where a job starts, and done from every state', () => {
    expect(sorted(reachableFrom(initialState))).toEqual(sorted(jobStates));
    for (const state of jobStates) expect(reachableFrom(state).has('done'), state).toBe(true);
    expect(transitions.done).toEqual([]);
  });

  it('names only states of the contract, and never a move to the same state', () => {
    for (const [from, targets] of Object.entries(transitions)) {
      expect(jobStates).toContain(from);
      for (const to of targets) expect(jobStates).toContain(to);
      expect(targets).not.toContain(from);
    }
  });

  it('lets every command move each state it applies to where the command goes', () => {
    for (const command of commands) {
      const rule = queueCommands[command];
      const moved: readonly JobState[] = 'requeues' in rule ? rule.requeues : rule.from;
      for (const state of rule.from) expect(jobStates).toContain(state);
      for (const state of moved) {
        expect(rule.from, `${command} requeues ${state}`).toContain(state);
        if (rule.to !== null)
          expect(canTransition(state, rule.to), `${command}: ${state}`).toBe(true);
      }
    }
  });

  it('groups states consistently', () => {
    expect(sorted([...activeStates, ...settledStates])).toEqual(sorted(jobStates));
    expect(activeStates.filter((state) => settledStates.includes(state))).toEqual([]);
    expect(sorted([...pendingStates, ...endedStates])).toEqual(sorted(jobStates));
    expect(pendingStates.filter((state) => endedStates.includes(state))).toEqual([]);
    expect(sorted(standingStates)).toEqual(sorted([...pendingStates, 'done']));
    for (const state of runnableStates) expect(activeStates).toContain(state);
    for (const state of finishedStates) expect(endedStates).toContain(state);
    // Only an ended job's work is over: nothing moves a finished one but the person.
    for (const state of endedStates) expect(canApply('pause', state)).toBe(false);
  });
});

const nextSteps: (NextStep | null)[] = [
  null,
  'retry',
  'retarget',
  'sign-in',
  'locate-file',
  'wait',
  'none',
];

function job(state: JobState, nextStep: NextStep | null): JobView {
  const problem: JobProblem | null =
    nextStep === null
      ? null
      : {
          kind: 'permanent',
          message: 'It went wrong.',
          nextStep,
          graphCode: null,
          httpStatus: null,
          requestId: null,
          at: 1,
        };
  return {
    id: 1,
    bytesSent: 0,
    bytesAcked: 0,
    speed: null,
    etaSeconds: null,
    stalled: false,
    fileName: 'a.pdf',
    sourcePath: '/tmp/a.pdf',
    size: 10,
    contentType: 'application/pdf',
    target: { accountId: 'a', listId: 'l', taskId: 't', listName: 'L', taskTitle: 'T' },
    state,
    attempts: 0,
    nextAttemptAt: null,
    problem,
    attachmentId: null,
    watchedFolder: null,
    createdAt: 1,
    updatedAt: 1,
    finishedAt: null,
  };
}

describe("a queue row's actions", () => {
  it('offer each command the table applies to its state, once, and no other', () => {
    const openers = { files: true, toDo: true };
    for (const state of jobStates) {
      for (const nextStep of nextSteps) {
        const row = job(state, nextStep);
        const offered = [...primaryActions(row), ...menuActions(row, openers)]
          .map((action) => action.kind)
          .filter((kind): kind is QueueCommand => kind in queueCommands);
        const applicable = commands.filter((command) => canApply(command, state));
        expect([...offered].sort(), `${state}, next step ${nextStep}`).toEqual(applicable.sort());
      }
    }
  });
});
