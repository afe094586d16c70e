import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphTime } from '../../main/simulator/clock.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import {
  call,
  enc,
  expectGraphError,
  getJson,
  listByName,
  newTask,
  postJson,
  type Collection,
  type ListJson,
  type TaskJson,
} from '../support/graph-sim.ts';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'demo' });
});
afterAll(() => sim.close());

/** Follows @odata.nextLink to the end; returns every page. */
async function allPages<T>(
  target: RunningSimulator,
  first: string,
  headers: Record<string, string> = {},
): Promise<Collection<T>[]> {
  const pages: Collection<T>[] = [];
  let next: string | undefined = first;
  while (next !== undefined && pages.length < 50) {
    const page: Collection<T> = await getJson<Collection<T>>(target, next, { headers });
    pages.push(page);
    next = page['@odata.nextLink'];
  }
  return pages;
}

const stamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

describe('task lists', () => {
  it('has the built-in "Tasks" and "Flagged emails" lists, owned and not shared', async () => {
    const empty = await startSimulator({ seed: 'empty' });
    try {
      const lists = await getJson<Collection<ListJson>>(empty, '/me/todo/lists?$top=10');
      expect(lists.value).toHaveLength(2);
      expect(
        lists.value.map(({ displayName, wellknownListName, isOwner, isShared }) => ({
          displayName,
          wellknownListName,
          isOwner,
          isShared,
        })),
      ).toEqual([
        {
          displayName: 'Tasks',
          wellknownListName: 'defaultList',
          isOwner: true,
          isShared: false,
        },
        {
          displayName: 'Flagged emails',
          wellknownListName: 'flaggedEmails',
          isOwner: true,
          isShared: false,
        },
      ]);
      for (const list of lists.value) expect(list['@odata.etag']).toMatch(/^W\/".+"$/);
    } finally {
      await empty.close();
    }
    const demo = await getJson<Collection<ListJson>>(sim, '/me/todo/lists?$top=100');
    const named = demo.value.filter((list) => list.wellknownListName !== 'none');
    expect(named.map((list) => list.displayName)).toEqual(['Tasks', 'Flagged emails']);
  });

  it('creates a list with POST /lists → 201', async () => {
    const res = await postJson(sim, '/me/todo/lists', { displayName: 'Made here' });
    expect(res.status).toBe(201);
    const list = res.json() as ListJson;
    expect(list).toMatchObject({ displayName: 'Made here', wellknownListName: 'none' });
    expect((await getJson<ListJson>(sim, `/me/todo/lists/${enc(list.id)}`)).id).toBe(list.id);
    expectGraphError(await postJson(sim, '/me/todo/lists', { displayName: '' }), 400);
  });
});

describe('paging', () => {
  it('pages the 260-task Archive with opaque nextLinks that honour $top', async () => {
    const archive = await listByName(sim, 'Archive');
    const first = `/me/todo/lists/${enc(archive.id)}/tasks?$top=50`;
    const pages = await allPages<TaskJson>(sim, first);
    expect(pages.map((page) => page.value.length)).toEqual([50, 50, 50, 50, 50, 10]);
    const ids = pages.flatMap((page) => page.value.map((task) => task.id));
    expect(ids).toHaveLength(260);
    expect(new Set(ids).size).toBe(260);
    for (const page of pages.slice(0, -1)) {
      expect(page['@odata.nextLink']).toMatch(new RegExp(`^${sim.graphUrl}/me/todo/lists/`));
      expect(page['@odata.nextLink']).toContain('$skiptoken=');
    }
    expect(pages.at(-1)).not.toHaveProperty('@odata.nextLink');
    const titles = pages.flatMap((page) => page.value.map((task) => task.title));
    expect(titles).toContain('Archived item 001');
    expect(titles).toContain('Archived item 260');
  });

  it('refuses a $top that is not a positive whole number', async () => {
    const archive = await listByName(sim, 'Archive');
    for (const top of ['0', '-1', 'x', '1.5']) {
      expectGraphError(await call(sim, `/me/todo/lists/${enc(archive.id)}/tasks?$top=${top}`), 400);
    }
  });

  it('reproduces "no nextLink on /lists without $top", and sends one with $top', async () => {
    const small = await startSimulator({ seed: 'demo', paging: { defaultPageSize: 3 } });
    try {
      const bare = await getJson<Collection<ListJson>>(small, '/me/todo/lists');
      expect(bare.value).toHaveLength(3);
      expect(bare).not.toHaveProperty('@odata.nextLink');

      const pages = await allPages<ListJson>(small, '/me/todo/lists?$top=3');
      expect(pages.map((page) => page.value.length)).toEqual([3, 3]);
      expect(pages[0]!['@odata.nextLink']).toBeDefined();
      const names = pages.flatMap((page) => page.value.map((list) => list.displayName));
      expect(names).toEqual([
        'Tasks',
        'Flagged emails',
        'Receipts 2026',
        'Work',
        'Home',
        'Archive',
      ]);

      // Tasks are not affected by the quirk: without $top they still page.
      const archive = names.indexOf('Archive');
      const archiveId = pages.flatMap((page) => page.value)[archive]!.id;
      const tasks = await getJson<Collection<TaskJson>>(
        small,
        `/me/todo/lists/${enc(archiveId)}/tasks`,
      );
      expect(tasks.value).toHaveLength(3);
      expect(tasks['@odata.nextLink']).toBeDefined();
    } finally {
      await small.close();
    }
  });

  it('sends the /lists nextLink without $top once the quirk is switched off', async () => {
    const plain = await startSimulator({
      seed: 'demo',
      paging: { defaultPageSize: 4, listsNextLinkOnlyWithTop: false },
    });
    try {
      const pages = await allPages<ListJson>(plain, '/me/todo/lists');
      expect(pages.map((page) => page.value.length)).toEqual([4, 2]);
    } finally {
      await plain.close();
    }
  });

  it('honours Prefer: odata.maxpagesize', async () => {
    const home = await listByName(sim, 'Home');
    const prefer = { Prefer: 'odata.maxpagesize=4' };
    const pages = await allPages<TaskJson>(sim, `/me/todo/lists/${enc(home.id)}/tasks`, prefer);
    expect(pages.map((page) => page.value.length)).toEqual([4, 2]);
    const lists = await allPages<ListJson>(sim, '/me/todo/lists', {
      Prefer: 'odata.maxpagesize=5',
    });
    expect(lists.map((page) => page.value.length)).toEqual([5, 2]);
  });
});

describe('tasks', () => {
  it('creates a task → 201 with server-set timestamps and an etag', async () => {
    sim.control.advanceClock(86_400_000);
    const before = sim.control.now();
    const list = await listByName(sim, 'Tasks');
    const res = await postJson(sim, `/me/todo/lists/${enc(list.id)}/tasks`, {
      title: 'A new task',
      categories: ['Important'],
      createdDateTime: '2001-01-01T00:00:00Z',
    });
    expect(res.status).toBe(201);
    const task = res.json() as TaskJson & { categories: string[]; body: unknown };
    expect(task).toMatchObject({
      title: 'A new task',
      categories: ['Important'],
      status: 'notStarted',
      importance: 'normal',
      hasAttachments: false,
    });
    expect(task['@odata.etag']).toMatch(/^W\/".+"$/);
    expect(task.createdDateTime).toMatch(stamp);
    expect(task.createdDateTime).not.toMatch(/^2001/);
    expect(task.createdDateTime >= graphTime(before)).toBe(true);
    expect(task.createdDateTime <= graphTime(sim.control.now())).toBe(true);
    expect(task.lastModifiedDateTime).toBe(task.createdDateTime);

    const read = await getJson<TaskJson>(
      sim,
      `/me/todo/lists/${enc(list.id)}/tasks/${enc(task.id)}`,
    );
    expect(read).toEqual(task);
  });

  it('refuses a task without a title', async () => {
    const list = await listByName(sim, 'Tasks');
    for (const body of [{}, { title: '  ' }, { title: 'x', status: 'done' }]) {
      expectGraphError(await postJson(sim, `/me/todo/lists/${enc(list.id)}/tasks`, body), 400);
    }
    expectGraphError(
      await call(sim, `/me/todo/lists/${enc(list.id)}/tasks`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{not json',
      }),
      400,
    );
  });

  it('updates with PATCH: new etag and lastModifiedDateTime, same createdDateTime', async () => {
    const { path, task } = await newTask(sim, 'before');
    sim.control.advanceClock(5_000);
    const res = await postJson(
      sim,
      path,
      { title: 'after', status: 'completed' },
      { method: 'PATCH' },
    );
    expect(res.status).toBe(200);
    const patched = res.json() as TaskJson;
    expect(patched).toMatchObject({ id: task.id, title: 'after', status: 'completed' });
    expect(patched.createdDateTime).toBe(task.createdDateTime);
    expect(patched.lastModifiedDateTime > task.lastModifiedDateTime).toBe(true);
    expect(patched['@odata.etag']).not.toBe(task['@odata.etag']);
    expect((await getJson<TaskJson>(sim, path)).title).toBe('after');
    expectGraphError(await postJson(sim, path, { importance: 'urgent' }, { method: 'PATCH' }), 400);
  });

  it('deletes with DELETE → 204, then 404 itemNotFound', async () => {
    const { path, listId, taskId } = await newTask(sim, 'doomed');
    const res = await call(sim, path, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expectGraphError(await call(sim, path), 404, 'itemNotFound');
    expectGraphError(await call(sim, path, { method: 'DELETE' }), 404, 'itemNotFound');
    const tasks = await getJson<Collection<TaskJson>>(
      sim,
      `/me/todo/lists/${enc(listId)}/tasks?$top=200`,
    );
    expect(tasks.value.map((t) => t.id)).not.toContain(taskId);
  });

  it('does not find a task through another list', async () => {
    const { taskId } = await newTask(sim, 'in Tasks');
    const home = await listByName(sim, 'Home');
    expectGraphError(
      await call(sim, `/me/todo/lists/${enc(home.id)}/tasks/${enc(taskId)}`),
      404,
      'itemNotFound',
    );
  });

  it('flips hasAttachments after the first attachment', async () => {
    const { path, task } = await newTask(sim, 'with a file');
    expect(task.hasAttachments).toBe(false);
    const res = await postJson(sim, `${path}/attachments`, {
      name: 'note.txt',
      contentBytes: Buffer.from('hi').toString('base64'),
    });
    expect(res.status).toBe(201);
    const after = await getJson<TaskJson>(sim, path);
    expect(after.hasAttachments).toBe(true);
    expect(after['@odata.etag']).not.toBe(task['@odata.etag']);
  });
});

describe('task delta', () => {
  type DeltaEntry = Partial<TaskJson> & { id: string; '@removed'?: { reason: string } };

  async function newList(name: string, titles: string[]): Promise<string> {
    const res = await postJson(sim, '/me/todo/lists', { displayName: name });
    expect(res.status).toBe(201);
    const listId = (res.json() as ListJson).id;
    for (const title of titles) {
      const created = await postJson(sim, `/me/todo/lists/${enc(listId)}/tasks`, { title });
      expect(created.status).toBe(201);
    }
    return listId;
  }

  /** One delta round: follows nextLinks; returns the pages and the final deltaLink. */
  async function round(
    start: string,
  ): Promise<{ pages: Collection<DeltaEntry>[]; deltaLink: string }> {
    const pages = await allPages<DeltaEntry>(sim, start);
    for (const page of pages.slice(0, -1)) {
      expect(page['@odata.nextLink']).toContain('$skiptoken=');
      expect(page).not.toHaveProperty('@odata.deltaLink');
    }
    const deltaLink = pages.at(-1)?.['@odata.deltaLink'];
    expect(deltaLink).toContain('$deltatoken=');
    expect(pages.at(-1)).not.toHaveProperty('@odata.nextLink');
    return { pages, deltaLink: deltaLink! };
  }

  it('pages the first round, then reports exactly what changed', async () => {
    const listId = await newList('Delta', ['one', 'two', 'three', 'four', 'five']);
    const first = await round(`/me/todo/lists/${enc(listId)}/tasks/delta?$top=2`);
    expect(first.pages.map((page) => page.value.length)).toEqual([2, 2, 1]);
    const seen = first.pages.flatMap((page) => page.value);
    expect(seen.map((task) => task.title)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(seen.every((task) => task['@removed'] === undefined)).toBe(true);

    const byTitle = new Map(seen.map((task) => [task.title, task.id]));
    const tasksUrl = `/me/todo/lists/${enc(listId)}/tasks`;
    const created = await postJson(sim, tasksUrl, { title: 'six' });
    const createdId = (created.json() as TaskJson).id;
    const updated = await postJson(
      sim,
      `${tasksUrl}/${enc(byTitle.get('two')!)}`,
      { title: 'two (edited)' },
      { method: 'PATCH' },
    );
    expect(updated.status).toBe(200);
    const removed = await call(sim, `${tasksUrl}/${enc(byTitle.get('four')!)}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);

    const second = await round(first.deltaLink);
    const changes = second.pages.flatMap((page) => page.value);
    expect(changes).toHaveLength(3);
    const byId = new Map(changes.map((entry) => [entry.id, entry]));
    expect(byId.get(createdId)?.title).toBe('six');
    expect(byId.get(byTitle.get('two')!)?.title).toBe('two (edited)');
    expect(byId.get(byTitle.get('four')!)).toEqual({
      id: byTitle.get('four'),
      '@removed': { reason: 'deleted' },
    });

    const third = await round(second.deltaLink);
    expect(third.pages.flatMap((page) => page.value)).toEqual([]);
  });

  it('keeps the first call’s $top on every page of the round', async () => {
    const archive = await listByName(sim, 'Archive');
    const { pages } = await round(`/me/todo/lists/${enc(archive.id)}/tasks/delta?$top=50`);
    expect(pages.map((page) => page.value.length)).toEqual([50, 50, 50, 50, 50, 10]);
    expect(new Set(pages.flatMap((page) => page.value.map((task) => task.id))).size).toBe(260);
  });

  it('honours Prefer: odata.maxpagesize on delta', async () => {
    const home = await listByName(sim, 'Home');
    const pages = await allPages<DeltaEntry>(sim, `/me/todo/lists/${enc(home.id)}/tasks/delta`, {
      Prefer: 'odata.maxpagesize=4',
    });
    expect(pages.map((page) => page.value.length)).toEqual([4, 2]);
  });

  it('loses no task when one changes in the middle of a round', async () => {
    const listId = await newList('Busy', ['a', 'b', 'c', 'd', 'e']);
    const tasksUrl = `/me/todo/lists/${enc(listId)}/tasks`;
    const page1 = await getJson<Collection<DeltaEntry>>(sim, `${tasksUrl}/delta?$top=2`);
    expect(page1.value.map((task) => task.title)).toEqual(['a', 'b']);
    // 'a' (already delivered) changes while the round is still being read.
    const edited = await postJson(
      sim,
      `${tasksUrl}/${enc(page1.value[0]!.id)}`,
      { title: 'a (edited)' },
      { method: 'PATCH' },
    );
    expect(edited.status).toBe(200);
    const rest = await round(page1['@odata.nextLink']!);
    const titles = [...page1.value, ...rest.pages.flatMap((page) => page.value)].map(
      (task) => task.title,
    );
    expect(titles).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'e']));
    const next = await round(rest.deltaLink);
    expect(next.pages.flatMap((page) => page.value.map((task) => task.title))).toEqual([
      'a (edited)',
    ]);
  });
});

describe('list delta', () => {
  it('reports every list first, then only new ones', async () => {
    const first = await getJson<Collection<ListJson>>(sim, '/me/todo/lists/delta');
    expect(first.value.map((list) => list.displayName)).toContain('Archive');
    expect(first['@odata.deltaLink']).toContain('$deltatoken=');
    const created = await postJson(sim, '/me/todo/lists', { displayName: 'Fresh' });
    expect(created.status).toBe(201);
    const second = await getJson<Collection<ListJson>>(sim, first['@odata.deltaLink']!);
    expect(second.value.map((list) => list.displayName)).toEqual(['Fresh']);
  });
});
