/**
 * The one browser API the renderer's state classes name that Node's types lack. The engine the
 * tests drive needs Node's types, which clash with the DOM library's (fetch's RequestInit), so
 * this project type-checks under Node's and adds only this; svelte-check checks the renderer
 * itself under the DOM's.
 */
interface Navigator {
  readonly clipboard: { writeText(text: string): Promise<void> };
}
