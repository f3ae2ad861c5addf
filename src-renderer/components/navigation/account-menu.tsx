import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { AccountSummary } from '../../../src-preload/contract.ts';
import { useSession } from '../../hooks/use-session.tsx';
import { buttonKey, menuKey, type MenuMove } from './menu-keys.ts';

interface Item {
  key: string;
  role: 'menuitemradio' | 'menuitem';
  label: string;
  checked?: boolean;
  run(): void;
}

/**
 * The account menu (issue 19): a menu button named after the active account ("Signed in as Alice
 * Liddell") opening a menu with one radio item per account, then "Add another account", "Sign out
 * of <name>" and "Sign out of all accounts". Keyboard and focus as in the WAI-ARIA menu button
 * pattern (menu-keys.ts), with a roving tabindex. Choosing an item closes the menu and puts focus
 * on the button first: when the button then goes away (the last account signed out, a sign-in
 * started) the focus rule takes focus to the new content.
 *
 * `narrow`: inside the narrow window's menu, the list below the button instead of over the page;
 * `onAction` then closes that menu too.
 */
export function AccountMenu({ narrow = false, onAction }: { narrow?: boolean; onAction?(): void }) {
  const { session, addAccount, switchAccount, signOutAccount, logout } = useSession();
  const accounts: AccountSummary[] = session.status === 'signed-in' ? session.accounts : [];
  const active = accounts.find((account) => account.active) ?? accounts[0];
  const [open, setOpen] = useState(false);
  const [focused, setFocused] = useState(0);
  const buttonId = useId();
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const items: Item[] = active
    ? [
        ...accounts.map((account): Item => ({
          key: `account:${account.sub}`,
          role: 'menuitemradio',
          label: account.name,
          checked: account.active,
          run: () => {
            if (!account.active) void switchAccount(account.sub);
          },
        })),
        {
          key: 'add',
          role: 'menuitem',
          label: 'Add another account',
          run: () => void addAccount(),
        },
        {
          key: 'sign-out',
          role: 'menuitem',
          label: `Sign out of ${active.name}`,
          run: () => void signOutAccount(active.sub),
        },
        {
          key: 'sign-out-all',
          role: 'menuitem',
          label: 'Sign out of all accounts',
          run: () => void logout(),
        },
      ]
    : [];
  const count = items.length;
  const current = Math.min(focused, Math.max(count - 1, 0));

  // The roving tabindex's item has focus while the menu is open.
  useEffect(() => {
    if (open) itemRefs.current[current]?.focus();
  }, [open, current]);

  // A press anywhere else closes the menu (focus goes where that press puts it).
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (target && (menuRef.current?.contains(target) || buttonRef.current?.contains(target)))
        return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const obey = useCallback((move: MenuMove): boolean => {
    if (move.kind === 'none') return false;
    if (move.kind === 'focus') {
      setFocused(move.index);
      setOpen(true);
      return true;
    }
    // Focus is back on the button before the menu goes: never on an item that is gone (the focus
    // rule). Tab then moves on from the button as it would from any control.
    buttonRef.current?.focus();
    setOpen(false);
    return move.focus === 'button';
  }, []);

  if (!active) return null;

  const choose = (item: Item) => {
    buttonRef.current?.focus();
    setOpen(false);
    onAction?.();
    item.run();
  };

  const onButtonKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (obey(buttonKey(event.key, count))) event.preventDefault();
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = menuKey(
      event.key,
      current,
      items.map((item) => item.label),
    );
    if (obey(move)) {
      event.preventDefault();
      // Escape closes this menu only, not the narrow window's menu around it.
      event.stopPropagation();
    }
  };

  const itemProps = (item: Item, index: number) => ({
    ref: (element: HTMLButtonElement | null) => {
      itemRefs.current[index] = element;
    },
    type: 'button' as const,
    role: item.role,
    tabIndex: index === current ? 0 : -1,
    className:
      item.role === 'menuitemradio'
        ? 'account-menu__item account-menu__item--account'
        : 'account-menu__item',
    onClick: () => choose(item),
    onFocus: () => setFocused(index),
  });

  const radios = items.filter((item) => item.role === 'menuitemradio');
  const actions = items.filter((item) => item.role === 'menuitem');

  return (
    <div className={narrow ? 'account-menu account-menu--narrow' : 'account-menu'}>
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        className="account-menu__button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title={active.name}
        onClick={() => {
          setFocused(0);
          setOpen(!open);
        }}
        onKeyDown={onButtonKeyDown}
      >
        <span className={narrow ? 'account-menu__label' : 'visually-hidden'}>Signed in as </span>
        <span className="account-menu__name">{active.name}</span>
        {accounts.length > 1 ? (
          <span className="account-menu__count" aria-hidden="true">
            {accounts.length}
          </span>
        ) : null}
        <svg
          className="account-menu__chevron"
          viewBox="0 0 16 16"
          width="14"
          height="14"
          aria-hidden="true"
          focusable="false"
        >
          <path d="M4 6l4 4 4-4" />
        </svg>
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label="Accounts"
          className="account-menu__list"
          onKeyDown={onMenuKeyDown}
        >
          <div role="group" aria-label="Switch account">
            {radios.map((item, index) => (
              <button key={item.key} {...itemProps(item, index)} aria-checked={item.checked}>
                <svg
                  className="account-menu__check"
                  viewBox="0 0 16 16"
                  width="16"
                  height="16"
                  aria-hidden="true"
                  focusable="false"
                >
                  {item.checked ? <path d="M3 8.5l3 3 7-7" /> : null}
                </svg>
                <span className="account-menu__item-label">{item.label}</span>
              </button>
            ))}
          </div>
          <div role="separator" className="account-menu__separator" />
          {actions.map((item, index) => (
            <button key={item.key} {...itemProps(item, radios.length + index)}>
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
