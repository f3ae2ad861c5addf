/**
 * The keyboard of a menu button and its menu, as the WAI-ARIA Authoring Practices' menu button
 * pattern has it (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/): a pure function of the key
 * and where focus is, so the account menu's wiring only obeys (test/unit/menu-keys.test.ts).
 */

/** What a key does: focus the item at `index`, close (and where focus goes), or nothing of ours. */
export type MenuMove =
  | { kind: 'focus'; index: number }
  /** `button`: focus back on the menu button (Escape); `onward`: Tab's own move from the button. */
  | { kind: 'close'; focus: 'button' | 'onward' }
  | { kind: 'none' };

/** On the menu button while the menu is closed: ArrowDown opens on the first item, ArrowUp on the last. */
export function buttonKey(key: string, count: number): MenuMove {
  if (count === 0) return { kind: 'none' };
  if (key === 'ArrowDown') return { kind: 'focus', index: 0 };
  if (key === 'ArrowUp') return { kind: 'focus', index: count - 1 };
  // Enter and Space click the button (which opens it on the first item), like a mouse does.
  return { kind: 'none' };
}

/**
 * Inside the open menu, on the item at `index` of `labels` (the items' names in order): arrows move
 * and wrap, Home/End go to the ends, Escape and Tab close, a printable character goes to the next
 * item whose name starts with it (type-ahead). Enter and Space choose the item (its click).
 */
export function menuKey(key: string, index: number, labels: readonly string[]): MenuMove {
  const count = labels.length;
  if (count === 0) return { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return { kind: 'focus', index: (index + 1) % count };
    case 'ArrowUp':
      return { kind: 'focus', index: (index - 1 + count) % count };
    case 'Home':
    case 'PageUp':
      return { kind: 'focus', index: 0 };
    case 'End':
    case 'PageDown':
      return { kind: 'focus', index: count - 1 };
    case 'Escape':
      return { kind: 'close', focus: 'button' };
    case 'Tab':
      return { kind: 'close', focus: 'onward' };
  }
  if (key.length === 1 && key.trim()) {
    const wanted = key.toLocaleLowerCase();
    for (let step = 1; step <= count; step++) {
      const next = (index + step) % count;
      if (labels[next]!.trim().toLocaleLowerCase().startsWith(wanted))
        return { kind: 'focus', index: next };
    }
  }
  return { kind: 'none' };
}
