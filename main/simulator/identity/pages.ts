/** The few HTML pages of the simulated sign-in: plain, script-optional, escaped. */

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, body: string, onload = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body${onload}>
${body}
</body></html>
`;
}

/**
 * `response_mode=form_post`, as the real authorize endpoint answers: a form that posts the
 * response to the redirect URI, submitted by script (or by hand without one).
 */
export function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}"/>`,
    )
    .join('\n');
  return page(
    'Working...',
    `<form method="POST" name="hiddenform" action="${escapeHtml(action)}">
${inputs}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript>
</form>`,
    ' onload="document.forms[0].submit()"',
  );
}

/** What the authorize endpoint shows when it cannot send the person back to the app. */
export function errorPage(code: string, message: string): string {
  return page(
    'Sign in to your account',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p id="error-code">${escapeHtml(code)}</p>
<p id="error-message">${escapeHtml(message)}</p>`,
  );
}

/** A plain notice: signed in on another device, signed out. */
export function noticePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p id="message">${escapeHtml(message)}</p>`);
}

/** The verification page of the device code flow (microsoft.com/devicelogin's stand-in). */
export function deviceLoginPage(note: string | null, defaultUser: string): string {
  const notice = note === null ? '' : `<p id="note">${escapeHtml(note)}</p>\n`;
  return page(
    'Enter code',
    `<h1>Enter code</h1>
${notice}<p>Enter the code displayed on your app or device. (Simulated sign-in: no password.)</p>
<form method="POST" action="/devicelogin">
<label>Code <input name="user_code" autocomplete="off" autofocus/></label>
<label>Account <input name="login_hint" value="${escapeHtml(defaultUser)}"/></label>
<input type="submit" value="Next"/>
</form>`,
  );
}
