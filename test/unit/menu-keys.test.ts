/**
 * The account menu's keyboard (WAI-ARIA menu button pattern), as a table: what each key does on the
 * menu button and inside the open menu. The menu itself is driven by keyboard in
 * test/e2e/accounts.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { buttonKey, menuKey } from '../../src-renderer/components/navigation/menu-keys.ts';

const LABELS = [
  'Alice Liddell',
  'Bob Builder',
  'Add another account',
  'Sign out of Alice Liddell',
  'Sign out of all accounts',
];

describe('the menu button, menu closed', () => {
  it.each([
    { key: 'ArrowDown', move: { kind: 'focus', index: 0 } },
    { key: 'ArrowUp', move: { kind: 'focus', index: 4 } },
    // Enter and Space click the button, which opens the menu on its first item.
    { key: 'Enter', move: { kind: 'none' } },
    { key: ' ', move: { kind: 'none' } },
    { key: 'a', move: { kind: 'none' } },
  ])('$key', ({ key, move }) => {
    expect(buttonKey(key, LABELS.length)).toEqual(move);
  });

  it('opens nothing when the menu has no item', () => {
    expect(buttonKey('ArrowDown', 0)).toEqual({ kind: 'none' });
  });
});

describe('inside the open menu', () => {
  it.each([
    { key: 'ArrowDown', from: 0, move: { kind: 'focus', index: 1 } },
    { key: 'ArrowDown', from: 4, move: { kind: 'focus', index: 0 } },
    { key: 'ArrowUp', from: 1, move: { kind: 'focus', index: 0 } },
    { key: 'ArrowUp', from: 0, move: { kind: 'focus', index: 4 } },
    { key: 'Home', from: 3, move: { kind: 'focus', index: 0 } },
    { key: 'End', from: 1, move: { kind: 'focus', index: 4 } },
    { key: 'Escape', from: 2, move: { kind: 'close', focus: 'button' } },
    { key: 'Tab', from: 2, move: { kind: 'close', focus: 'onward' } },
    // Type-ahead: the next item whose name starts with the letter, after the focused one.
    { key: 'b', from: 0, move: { kind: 'focus', index: 1 } },
    { key: 's', from: 0, move: { kind: 'focus', index: 3 } },
    { key: 'S', from: 3, move: { kind: 'focus', index: 4 } },
    { key: 's', from: 4, move: { kind: 'focus', index: 3 } },
    { key: 'z', from: 2, move: { kind: 'none' } },
    // Enter and Space choose the item (its click); the menu's keys leave them alone.
    { key: 'Enter', from: 1, move: { kind: 'none' } },
    { key: ' ', from: 1, move: { kind: 'none' } },
  ])('$key on item $from', ({ key, from, move }) => {
    expect(menuKey(key, from, LABELS)).toEqual(move);
  });
});
