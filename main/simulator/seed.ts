import type { ListRecord } from './model.ts';
import type { SimStore } from './store.ts';

const demoLists: { name: string; tasks: string[] }[] = [
  {
    name: 'Receipts 2026',
    tasks: [
      'Office supplies – January',
      'Train tickets Berlin trip',
      'Laptop repair invoice',
      'Conference registration',
      'Coworking membership Q1',
      'Team lunch 14 Feb',
      'Phone bill March',
      'Software licences renewal',
    ],
  },
  {
    name: 'Work',
    tasks: [
      'Quarterly report draft',
      'Contract review – Northwind',
      'Onboarding pack for new hires',
      'Design review notes',
      'Budget spreadsheet 2027',
      'Security training certificate',
      'Client workshop slides',
      'Expense claim April',
    ],
  },
  {
    name: 'Home',
    tasks: [
      'Insurance renewal',
      'Car service booking',
      'Tax return documents',
      'Kitchen renovation quotes',
      'School forms',
      'Warranty: washing machine',
    ],
  },
];

const archiveSize = 260;

/** The demo mailbox: the built-in lists, a few named lists, and one long enough to need paging. */
export function seedDemoContent(store: SimStore, userId: string): void {
  store.batch(() => seedDemoLists(store, userId));
}

function seedDemoLists(store: SimStore, userId: string): void {
  const tasksList = seedBuiltInLists(store, userId);
  for (const title of ['Scan passport', 'Pay electricity bill', 'Renew library card']) {
    store.createTask(userId, tasksList.id, { title });
  }
  for (const { name, tasks } of demoLists) {
    const list = store.createList(userId, name);
    for (const title of tasks) store.createTask(userId, list.id, { title });
  }
  const archive = store.createList(userId, 'Archive');
  for (let index = 1; index <= archiveSize; index += 1) {
    store.createTask(userId, archive.id, {
      title: `Archived item ${String(index).padStart(3, '0')}`,
      status: index % 3 === 0 ? 'completed' : 'notStarted',
    });
  }
}

/** Every mailbox has these two; returns the default "Tasks" list. */
export function seedBuiltInLists(store: SimStore, userId: string): ListRecord {
  const tasks = store.createList(userId, 'Tasks', 'defaultList');
  store.createList(userId, 'Flagged emails', 'flaggedEmails');
  return tasks;
}
