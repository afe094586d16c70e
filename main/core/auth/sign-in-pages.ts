/**
 * What the browser tab shows once MSAL's loopback server has the answer: the person goes back
 * to taskdrop. Self-contained: no scripts, no remote content.
 */

function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>${title}</h1><p>${message}</p></body></html>
`;
}

export const signedInPage = page(
  'You are signed in to taskdrop',
  'You can close this tab and return to taskdrop: your uploads continue there.',
);

export const signInFailedPage = page(
  'Sign-in did not complete',
  'Return to taskdrop and try again. Nothing in your queue was lost.',
);
