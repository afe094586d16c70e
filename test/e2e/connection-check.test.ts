import { describe, expect, it } from 'vitest';
import type { FactFinding } from '../../preload/shared/contract.ts';
import { serviceFactIds } from '../../preload/shared/contract.ts';
import { scratchTitle } from '../../main/core/doctor/service-probe.ts';
import { screenshotsInEveryLook } from '../support/browser.ts';
import { appPerFile, until } from './helpers.ts';

const ui = appPerFile();

const section = () => ui.page.locator('.connection');
const checkButton = () => ui.page.getByRole('button', { name: 'Check the connection with To Do' });
const rows = () => section().locator('tbody tr');

async function runCheck(): Promise<void> {
  const { page } = ui;
  if (!(await checkButton().isVisible())) {
    await page.getByRole('button', { name: 'Settings' }).click();
  }
  await checkButton().scrollIntoViewIfNeeded();
  await checkButton().click();
  await until(
    async () => (await rows().count()) === serviceFactIds.length,
    'the table of facts',
    20_000,
  );
  await until(
    async () => (await checkButton().getAttribute('aria-disabled')) === null,
    'the check to end',
  );
}

async function verdicts(): Promise<Record<string, string>> {
  const entries = await rows().evaluateAll((elements) =>
    elements.map((row) => [
      row.getAttribute('data-fact') ?? '',
      row.querySelector('.verdict')?.textContent?.trim() ?? '',
    ]),
  );
  return Object.fromEntries(entries);
}

/** Nothing the check made stays on the service. */
async function expectNothingLeft(): Promise<void> {
  expect(await ui.stack.titles('Tasks')).not.toContain(scratchTitle);
  expect(ui.stack.sim.control.sessions()).toEqual([]);
  expect(
    ui.stack.sim.control.attachments().filter((a) => a.name.startsWith('taskdrop-self-check')),
  ).toEqual([]);
}

describe('Settings → About → Check the connection with To Do', () => {
  it('probes the service through the engine and shows every fact agreeing with the simulator', async () => {
    await runCheck();
    const shown = await verdicts();
    expect(Object.keys(shown)).toEqual([...serviceFactIds]);
    expect(new Set(Object.values(shown))).toEqual(new Set(['Agrees']));
    expect(await section().locator('.status').first().textContent()).toContain(
      'To Do answers as taskdrop assumes.',
    );
    await expectNothingLeft();
  });

  it('shows a fact that differs, and copies the report as JSON lines', async () => {
    const { page, stack, app } = ui;
    // A service without the session GET: only that fact differs.
    stack.sim.control.addFault({
      operation: 'getUploadSession',
      times: 0,
      action: { type: 'status', status: 405, code: 'methodNotAllowed' },
    });
    try {
      await runCheck();
    } finally {
      stack.sim.control.clearFaults();
    }
    const shown = await verdicts();
    expect(Object.entries(shown).filter(([, verdict]) => verdict !== 'Agrees')).toEqual([
      ['session-get', 'Differs'],
    ]);
    expect(await section().locator('tr[data-fact="session-get"]').textContent()).toContain(
      '405 methodNotAllowed',
    );
    expect(await section().locator('.status').first().textContent()).toContain(
      `1 of ${serviceFactIds.length} differ`,
    );
    await expectNothingLeft();

    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(stack.web.url).origin,
    });
    await section().getByRole('button', { name: 'Copy report' }).click();
    await until(
      async () => ((await section().textContent()) ?? '').includes('Copied: paste it'),
      'the confirmation',
    );
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    const lines = copied
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as FactFinding);
    expect(lines.map((line) => line.fact)).toEqual([...serviceFactIds]);
    expect(lines.find((line) => line.fact === 'session-get')).toMatchObject({
      agrees: false,
      expected: '200 with nextExpectedRanges',
      seen: '405 methodNotAllowed',
    });

    // Where the clipboard is refused, the same lines wait selected, to copy by hand.
    await page.evaluate(
      `navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))`,
    );
    await section().getByRole('button', { name: 'Copy report' }).click();
    const area = page.getByLabel('Report (JSON lines)');
    await until(() => area.isVisible(), 'the report to copy by hand');
    expect(await area.inputValue()).toBe(copied);
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe(
      'connection-report-text',
    );

    const shots = await screenshotsInEveryLook(page, 'settings-connection-check', async () => {
      // The settings view scrolls, not the page: bring the section's title to its top.
      await page.evaluate(`(() => {
        const view = document.querySelector('.settings');
        const title = document.getElementById('connection-title');
        view.scrollTop += title.getBoundingClientRect().top - view.getBoundingClientRect().top - 16;
      })()`);
    });
    expect(shots.paths).toHaveLength(4);
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
  });
});
