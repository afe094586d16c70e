import { createHash } from 'node:crypto';
import type { BlobStore } from './blobs.ts';
import { graphTime } from './clock.ts';
import { guid, opaqueId } from './ids.ts';
import { SessionTable } from './session-table.ts';
import type {
  NewAttachment,
  NewSession,
  NewTask,
  RangeOutcome,
  TaskChanges,
} from './store-inputs.ts';
import type {
  AttachmentRecord,
  ListRecord,
  SessionRecord,
  Snapshot,
  TaskRecord,
  Tombstone,
  UserRecord,
  WellknownListName,
} from './model.ts';

/**
 * The mailbox contents of every simulated user, with the rules that tie them together (a deleted
 * task takes its attachments and sessions with it; an attachment appears only when complete).
 * Every mutation ends in `save`, which writes a snapshot when the simulator has a data folder.
 */
export class SimStore {
  readonly #users = new Map<string, UserRecord>();
  readonly #lists = new Map<string, ListRecord>();
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #attachments = new Map<string, AttachmentRecord>();
  readonly #sessions: SessionTable;
  #tombstones: Tombstone[] = [];
  #changeSeq: number;
  readonly #defaultUserId: string;
  readonly #blobs: BlobStore;
  readonly #save: (snapshot: Snapshot) => void;
  readonly #now: () => number;

  constructor(
    snapshot: Snapshot,
    deps: { blobs: BlobStore; save: (snapshot: Snapshot) => void; now: () => number },
  ) {
    for (const user of snapshot.users) this.#users.set(user.id, user);
    for (const list of snapshot.lists) this.#lists.set(list.id, list);
    for (const task of snapshot.tasks) this.#tasks.set(task.id, task);
    for (const attachment of snapshot.attachments) this.#attachments.set(attachment.id, attachment);
    this.#sessions = new SessionTable(snapshot.sessions, deps.blobs);
    this.#tombstones = [...snapshot.tombstones];
    this.#changeSeq = snapshot.changeSeq;
    this.#defaultUserId = snapshot.defaultUserId;
    this.#blobs = deps.blobs;
    this.#save = deps.save;
    this.#now = deps.now;
  }

  static emptySnapshot(defaultUser: UserRecord): Snapshot {
    return {
      format: 1,
      changeSeq: 0,
      defaultUserId: defaultUser.id,
      users: [defaultUser],
      lists: [],
      tasks: [],
      tombstones: [],
      attachments: [],
      sessions: [],
    };
  }

  snapshot(): Snapshot {
    return {
      format: 1,
      changeSeq: this.#changeSeq,
      defaultUserId: this.#defaultUserId,
      users: [...this.#users.values()],
      lists: [...this.#lists.values()],
      tasks: [...this.#tasks.values()],
      tombstones: this.#tombstones,
      attachments: [...this.#attachments.values()],
      sessions: this.#sessions.all(),
    };
  }

  #batchDepth = 0;

  save(): void {
    if (this.#batchDepth === 0) this.#save(this.snapshot());
  }

  /** Runs many mutations with one save at the end. */
  batch(work: () => void): void {
    this.#batchDepth += 1;
    try {
      work();
    } finally {
      this.#batchDepth -= 1;
    }
    this.save();
  }

  get changeSeq(): number {
    return this.#changeSeq;
  }

  #nextSeq(): number {
    this.#changeSeq += 1;
    return this.#changeSeq;
  }

  // Users

  get defaultUser(): UserRecord {
    const user = this.#users.get(this.#defaultUserId);
    if (user === undefined) throw new Error('the simulator state has no default user');
    return user;
  }

  users(): UserRecord[] {
    return [...this.#users.values()];
  }

  /** Resolves `/users/{id|userPrincipalName}`. */
  findUser(ref: string): UserRecord | undefined {
    const lower = ref.toLowerCase();
    return [...this.#users.values()].find(
      (user) => user.id === lower || user.userPrincipalName.toLowerCase() === lower,
    );
  }

  addUser(displayName: string, userPrincipalName: string): UserRecord {
    const user = { id: guid(), displayName, userPrincipalName };
    this.#users.set(user.id, user);
    this.save();
    return user;
  }

  // Lists

  lists(userId: string): ListRecord[] {
    return [...this.#lists.values()].filter((list) => list.userId === userId);
  }

  list(userId: string, listId: string): ListRecord | undefined {
    const list = this.#lists.get(listId);
    return list?.userId === userId ? list : undefined;
  }

  createList(
    userId: string,
    displayName: string,
    wellknownListName: WellknownListName = 'none',
  ): ListRecord {
    const list: ListRecord = {
      id: opaqueId(),
      userId,
      displayName,
      isOwner: true,
      isShared: false,
      wellknownListName,
      changeSeq: this.#nextSeq(),
      version: 1,
    };
    this.#lists.set(list.id, list);
    this.save();
    return list;
  }

  // Tasks

  tasks(userId: string, listId: string): TaskRecord[] {
    return [...this.#tasks.values()].filter(
      (task) => task.userId === userId && task.listId === listId,
    );
  }

  task(userId: string, listId: string, taskId: string): TaskRecord | undefined {
    const task = this.#tasks.get(taskId);
    return task?.userId === userId && task.listId === listId ? task : undefined;
  }

  createTask(userId: string, listId: string, input: NewTask): TaskRecord {
    const now = graphTime(this.#now());
    const task: TaskRecord = {
      id: opaqueId(),
      userId,
      listId,
      title: input.title,
      body: { content: input.body ?? '', contentType: 'text' },
      importance: input.importance ?? 'normal',
      status: input.status ?? 'notStarted',
      isReminderOn: false,
      categories: input.categories ?? [],
      createdDateTime: now,
      lastModifiedDateTime: now,
      bodyLastModifiedDateTime: now,
      hasAttachments: false,
      changeSeq: this.#nextSeq(),
      version: 1,
    };
    this.#tasks.set(task.id, task);
    this.save();
    return task;
  }

  updateTask(task: TaskRecord, changes: TaskChanges): TaskRecord {
    Object.assign(task, changes);
    this.#touch(task);
    this.save();
    return task;
  }

  deleteTask(task: TaskRecord): void {
    this.#tasks.delete(task.id);
    for (const attachment of this.attachments(task.userId, task.id)) {
      this.#attachments.delete(attachment.id);
      this.#blobs.deleteAttachment(attachment.id);
    }
    this.#sessions.dropOfTask(task.id);
    this.#tombstones.push({ id: task.id, listId: task.listId, changeSeq: this.#nextSeq() });
    this.save();
  }

  /** Tasks changed and removed in (sinceSeq, upToSeq], for one delta round. */
  delta(
    userId: string,
    listId: string,
    sinceSeq: number,
    upToSeq: number,
  ): { changed: TaskRecord[]; removed: Tombstone[] } {
    const inRound = (seq: number): boolean => seq > sinceSeq && seq <= upToSeq;
    const changed = this.tasks(userId, listId)
      .filter((task) => inRound(task.changeSeq))
      .sort((a, b) => a.changeSeq - b.changeSeq);
    const removed =
      sinceSeq === 0
        ? []
        : this.#tombstones.filter((stone) => stone.listId === listId && inRound(stone.changeSeq));
    return { changed, removed };
  }

  #touch(task: TaskRecord): void {
    task.lastModifiedDateTime = graphTime(this.#now());
    task.changeSeq = this.#nextSeq();
    task.version += 1;
  }

  // Attachments

  attachments(userId: string, taskId: string): AttachmentRecord[] {
    return [...this.#attachments.values()].filter(
      (attachment) => attachment.userId === userId && attachment.taskId === taskId,
    );
  }

  allAttachments(): AttachmentRecord[] {
    return [...this.#attachments.values()];
  }

  attachment(userId: string, taskId: string, attachmentId: string): AttachmentRecord | undefined {
    const attachment = this.#attachments.get(attachmentId);
    return attachment?.userId === userId && attachment.taskId === taskId ? attachment : undefined;
  }

  attachmentBytes(attachmentId: string): Buffer | undefined {
    return this.#blobs.readAttachment(attachmentId);
  }

  addAttachment(task: TaskRecord, input: NewAttachment): AttachmentRecord {
    const attachment = this.#recordAttachment(task, opaqueId(), {
      name: input.name,
      contentType: input.contentType,
      size: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      via: 'post',
    });
    this.#blobs.putAttachment(attachment.id, input.bytes);
    this.save();
    return attachment;
  }

  deleteAttachment(attachment: AttachmentRecord): void {
    this.#attachments.delete(attachment.id);
    this.#blobs.deleteAttachment(attachment.id);
    this.save();
  }

  #recordAttachment(
    task: TaskRecord,
    id: string,
    fields: Pick<AttachmentRecord, 'name' | 'contentType' | 'size' | 'sha256' | 'via'>,
  ): AttachmentRecord {
    const attachment: AttachmentRecord = {
      id,
      userId: task.userId,
      listId: task.listId,
      taskId: task.id,
      lastModifiedDateTime: graphTime(this.#now()),
      ...fields,
    };
    this.#attachments.set(attachment.id, attachment);
    if (!task.hasAttachments) {
      task.hasAttachments = true;
      this.#touch(task);
    }
    return attachment;
  }

  // Upload sessions

  createSession(task: TaskRecord, input: NewSession): SessionRecord {
    const session = this.#sessions.create(task, input);
    this.save();
    return session;
  }

  allSessions(): SessionRecord[] {
    return this.#sessions.all();
  }

  sessions(userId: string, taskId: string): SessionRecord[] {
    return this.#sessions.ofTask(userId, taskId);
  }

  /** A live session of this user and task; an expired one is discarded with its bytes. */
  session(userId: string, taskId: string, sessionId: string): SessionRecord | undefined {
    const found = this.#sessions.live(userId, taskId, sessionId, this.#now());
    if (found.expired) this.save();
    return found.session;
  }

  /** Whether this session expired (and was discarded), as opposed to never having existed. */
  sessionExpired(userId: string, taskId: string, sessionId: string): boolean {
    return this.#sessions.expired(userId, taskId, sessionId);
  }

  /** Appends the next range; the last one turns the session into an attachment atomically. */
  commitRange(session: SessionRecord, chunk: Buffer): RangeOutcome {
    if (!this.#sessions.append(session, chunk)) {
      this.save();
      return { kind: 'more', session };
    }
    const task = this.#tasks.get(session.taskId);
    if (task === undefined) throw new Error('a live session outlived its task');
    const attachmentId = opaqueId();
    const sha256 = this.#sessions.finish(session, attachmentId);
    const attachment = this.#recordAttachment(task, attachmentId, {
      name: session.name,
      contentType: session.contentType,
      size: session.size,
      sha256,
      via: 'session',
    });
    this.save();
    return { kind: 'done', attachment };
  }

  deleteSession(session: SessionRecord): void {
    this.#sessions.drop(session);
    this.save();
  }
}
