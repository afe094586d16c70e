/**
 * The global shortcut's keys as Electron's accelerators spell them (`Control+Alt+T`), the rules
 * a global one must follow, and its words on each OS (⌃⌥T on macOS, Ctrl+Alt+T elsewhere).
 * Shared: the Settings recorder builds and shows them, the engine validates what it saves.
 */

export type DesktopPlatform = 'darwin' | 'win32' | 'linux';

/** Modifiers in the order a saved accelerator lists them. */
const modifierOrder = ['Command', 'Control', 'Alt', 'Shift', 'Super'] as const;
export type Modifier = (typeof modifierOrder)[number];

const modifierAliases: Readonly<Record<string, Modifier>> = {
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  alt: 'Alt',
  option: 'Alt',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};

/** Punctuation keys as `KeyboardEvent.code` names them, and as accelerators write them. */
const punctuation: Readonly<Record<string, string>> = {
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Backquote: '`',
  Comma: ',',
  Period: '.',
  Slash: '/',
};

const namedKeys = [
  'Space',
  'Tab',
  'Backspace',
  'Delete',
  'Insert',
  'Enter',
  'Up',
  'Down',
  'Left',
  'Right',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Escape',
  'PrintScreen',
] as const;

/** A key name as written in an accelerator, canonical case; null for one Electron has not. */
function canonicalKey(name: string): string | null {
  if (/^[a-z0-9]$/i.test(name)) return name.toUpperCase();
  const fKey = /^f([1-9]|1\d|2[0-4])$/i.exec(name);
  if (fKey !== null) return `F${fKey[1]}`;
  if (Object.values(punctuation).includes(name)) return name;
  if (name === 'Plus') return 'Plus';
  const lower = name.toLowerCase();
  if (lower === 'return') return 'Enter';
  if (lower === 'esc') return 'Escape';
  const named = namedKeys.find((key) => key.toLowerCase() === lower);
  if (named !== undefined) return named;
  const numpad = /^num([0-9]|dec|add|sub|mult|div)$/i.exec(name);
  return numpad === null ? null : `num${numpad[1]?.toLowerCase() ?? ''}`;
}

export interface Accelerator {
  modifiers: Modifier[];
  key: string;
}

/** Reads an accelerator (`CmdOrCtrl` is read as the platform's key); null when it is not one. */
export function parseAccelerator(text: string, platform: DesktopPlatform): Accelerator | null {
  // Electron writes the plus key as "Plus": an empty part ("Control++") is not one.
  const parts = text.split('+');
  const rawKey = parts.pop();
  const key = rawKey === undefined ? null : canonicalKey(rawKey);
  if (key === null) return null;
  const modifiers = new Set<Modifier>();
  for (const part of parts) {
    const lower = part.toLowerCase();
    const modifier =
      lower === 'commandorcontrol' || lower === 'cmdorctrl'
        ? platform === 'darwin'
          ? 'Command'
          : 'Control'
        : modifierAliases[lower];
    if (modifier === undefined || modifiers.has(modifier)) return null;
    modifiers.add(modifier);
  }
  return { modifiers: modifierOrder.filter((modifier) => modifiers.has(modifier)), key };
}

export function formatAccelerator({ modifiers, key }: Accelerator): string {
  return [...modifiers, key].join('+');
}

/** Keys that may be a global shortcut without a modifier: no app uses them for typing. */
const loneKeys = /^F(1[3-9]|2[0-4])$/;

/**
 * Why this cannot be taskdrop's global shortcut, in words for the person; null when it can.
 * A global shortcut works in every app, so it must not take typing or the keys every app uses
 * (Ctrl+C, Ctrl+V, ⌘S…): it needs Ctrl, ⌘, Alt or the Windows key, and with Ctrl or ⌘ alone a
 * letter or digit needs Alt or Shift too.
 */
export function shortcutProblem(text: string, platform: DesktopPlatform): string | null {
  const parsed = parseAccelerator(text, platform);
  if (parsed === null) return `“${text}” is not a key combination taskdrop knows.`;
  const shown = describeAccelerator(parsed, platform);
  const { modifiers, key } = parsed;
  const strong = modifiers.filter((modifier) => modifier !== 'Shift');
  if (strong.length === 0 && !loneKeys.test(key)) {
    return `${shown} would take that key from every app: add ${platform === 'darwin' ? '⌘, ⌃ or ⌥' : 'Ctrl or Alt'}.`;
  }
  const appKey = platform === 'darwin' ? 'Command' : 'Control';
  if (modifiers.length === 1 && modifiers[0] === appKey && /^[A-Z0-9]$/.test(key)) {
    return `${shown} belongs to the apps you work in: add ${platform === 'darwin' ? '⌥ or ⇧' : 'Alt or Shift'}.`;
  }
  return null;
}

/** The canonical spelling of a valid shortcut (what Settings saves); null when it is invalid. */
export function normalizeShortcut(text: string, platform: DesktopPlatform): string | null {
  const parsed = parseAccelerator(text, platform);
  return parsed === null || shortcutProblem(text, platform) !== null
    ? null
    : formatAccelerator(parsed);
}

const macSymbols: Readonly<Record<Modifier, string>> = {
  Control: '⌃',
  Alt: '⌥',
  Shift: '⇧',
  Command: '⌘',
  Super: '⌘',
};
/** Apple's order: ⌃⌥⇧⌘. */
const macOrder: readonly Modifier[] = ['Control', 'Alt', 'Shift', 'Command', 'Super'];
const pcWords: Readonly<Record<DesktopPlatform, Readonly<Record<Modifier, string>>>> = {
  darwin: macSymbols,
  win32: { Control: 'Ctrl', Alt: 'Alt', Shift: 'Shift', Command: 'Win', Super: 'Win' },
  linux: { Control: 'Ctrl', Alt: 'Alt', Shift: 'Shift', Command: 'Super', Super: 'Super' },
};
const macKeys: Readonly<Record<string, string>> = {
  Enter: '↩',
  Backspace: '⌫',
  Delete: '⌦',
  Escape: '⎋',
  Tab: '⇥',
  Up: '↑',
  Down: '↓',
  Left: '←',
  Right: '→',
  Space: 'Space',
  Plus: '+',
};

/** The shortcut as the OS writes it: `⌃⌥T` on macOS, `Ctrl+Alt+T` on Windows and Linux. */
export function describeAccelerator(
  accelerator: Accelerator | string,
  platform: DesktopPlatform,
): string {
  const parsed =
    typeof accelerator === 'string' ? parseAccelerator(accelerator, platform) : accelerator;
  if (parsed === null) return String(accelerator);
  const keyWord = parsed.key.startsWith('num') ? `Num ${parsed.key.slice(3)}` : parsed.key;
  if (platform === 'darwin') {
    const symbols = macOrder
      .filter((modifier) => parsed.modifiers.includes(modifier))
      .map((modifier) => macSymbols[modifier])
      .join('');
    return `${symbols}${macKeys[parsed.key] ?? keyWord}`;
  }
  const words = pcWords[platform];
  return [...parsed.modifiers.map((modifier) => words[modifier]), keyWord].join('+');
}

/** What the Settings recorder reads of a key press (a KeyboardEvent has these). */
export interface KeyPress {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/** The modifiers held during a press, as accelerator names (⌘ is Command on macOS, else Super). */
export function heldModifiers(press: KeyPress, platform: DesktopPlatform): Modifier[] {
  const held = new Set<Modifier>();
  if (press.metaKey) held.add(platform === 'darwin' ? 'Command' : 'Super');
  if (press.ctrlKey) held.add('Control');
  if (press.altKey) held.add('Alt');
  if (press.shiftKey) held.add('Shift');
  return modifierOrder.filter((modifier) => held.has(modifier));
}

/**
 * The key of a press as an accelerator names it, by its place on the keyboard (`code`), so a
 * layout or Shift does not change it; null for a modifier alone or a key Electron has not.
 */
export function keyOfPress(code: string): string | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter !== null) return letter[1] ?? null;
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(code);
  if (digit !== null) return code.startsWith('Numpad') ? `num${digit[1]}` : (digit[1] ?? null);
  const symbol = punctuation[code];
  if (symbol !== undefined) return symbol;
  const arrow = /^Arrow(Up|Down|Left|Right)$/.exec(code);
  if (arrow !== null) return arrow[1] ?? null;
  const numpadOps: Record<string, string> = {
    NumpadAdd: 'numadd',
    NumpadSubtract: 'numsub',
    NumpadMultiply: 'nummult',
    NumpadDivide: 'numdiv',
    NumpadDecimal: 'numdec',
    NumpadEnter: 'Enter',
  };
  if (numpadOps[code] !== undefined) return numpadOps[code];
  return canonicalKey(code);
}

/** A press as an accelerator; null while only modifiers are held. */
export function acceleratorOfPress(press: KeyPress, platform: DesktopPlatform): string | null {
  const key = keyOfPress(press.code);
  if (key === null) return null;
  return formatAccelerator({ modifiers: heldModifiers(press, platform), key });
}

/** The OS a page runs on, from its user agent (the browser mode runs on the same computer). */
export function platformOfUserAgent(userAgent: string): DesktopPlatform {
  if (/Mac|iPhone|iPad/.test(userAgent)) return 'darwin';
  return /Windows/.test(userAgent) ? 'win32' : 'linux';
}

/** Node's `process.platform` as one of the desktops (anything else reads as Linux's rules). */
export function desktopPlatformOf(nodePlatform: string): DesktopPlatform {
  return nodePlatform === 'darwin' || nodePlatform === 'win32' ? nodePlatform : 'linux';
}

/** The modifiers held so far, as the recorder shows them while it waits for the key: `Ctrl+Alt+…`. */
export function describeHeld(press: KeyPress, platform: DesktopPlatform): string {
  const held = heldModifiers(press, platform);
  if (held.length === 0) return '';
  if (platform === 'darwin') {
    return `${macOrder
      .filter((modifier) => held.includes(modifier))
      .map((modifier) => macSymbols[modifier])
      .join('')}…`;
  }
  return `${held.map((modifier) => pcWords[platform][modifier]).join('+')}+…`;
}
