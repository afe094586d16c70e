/**
 * A browser in miniature for the simulated sign-in pages: it follows redirects and submits the
 * form_post form the authorize page answers with, as a real browser does with script on. Tests
 * pass it as MSAL's `openBrowser`; demo mode can too.
 */

export interface BrowsedPage {
  url: string;
  status: number;
  html: string;
}

const maxSteps = 10;

function unescapeHtml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? null : unescapeHtml(match[1]);
}

/** The auto-submitting form of a form_post page: where it posts, and its hidden fields. */
export function autoSubmitForm(html: string): { action: string; fields: URLSearchParams } | null {
  if (!/onload="document\.forms\[0\]\.submit\(\)"/.test(html)) return null;
  const form = /<form\b[^>]*>/i.exec(html)?.[0];
  const action = form === undefined ? null : attribute(form, 'action');
  if (action === null) return null;
  const fields = new URLSearchParams();
  for (const input of html.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (attribute(input, 'type') === 'hidden' && name !== null) {
      fields.append(name, attribute(input, 'value') ?? '');
    }
  }
  return { action, fields };
}

/** Opens `url` and goes wherever the pages lead; resolves with the last page. */
export async function browse(url: string): Promise<BrowsedPage> {
  let request: { url: string; init: RequestInit } = { url, init: { method: 'GET' } };
  for (let step = 0; step < maxSteps; step += 1) {
    const response = await fetch(request.url, { ...request.init, redirect: 'manual' });
    const html = await response.text();
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      request = { url: new URL(location, request.url).toString(), init: { method: 'GET' } };
      continue;
    }
    const form = autoSubmitForm(html);
    if (form === null) return { url: request.url, status: response.status, html };
    request = {
      url: new URL(form.action, request.url).toString(),
      init: {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.fields.toString(),
      },
    };
  }
  throw new Error(`the sign-in pages redirected more than ${maxSteps} times`);
}

/**
 * MSAL's `openBrowser`: completes the sign-in, or rejects with the login page's error when
 * it never got back to the app's loopback address.
 */
export async function openSimulatedBrowser(url: string): Promise<void> {
  const page = await browse(url);
  const { hostname } = new URL(page.url);
  if (hostname !== 'localhost' && hostname !== '127.0.0.1') {
    const message = /<p id="error-message">([^<]*)<\/p>/.exec(page.html)?.[1];
    throw new Error(`sign-in stopped at ${page.url} (${page.status}): ${message ?? 'no message'}`);
  }
}
