import { useCallback, useEffect, useRef } from 'react';

/**
 * The focus rule (issue 22), for every screen: when the control that had keyboard focus goes away
 * (Cancel in the waiting banner, "Sign in with a code", Log Out, a way that is no longer offered),
 * focus moves to the new content's heading or primary control, never to the page, so the next Tab
 * does not start again at "Skip to content". Controls that only become busy stay focusable
 * (`aria-disabled`, never `disabled`), so focus stays on them.
 *
 * New content names where focus should go with `data-focus-target` (spread `FOCUS_TARGET`): the
 * newest such element wins, else the first one on the page, else the page's heading.
 */
export const FOCUS_TARGET = { 'data-focus-target': '' } as const;

const TARGET_SELECTOR = '[data-focus-target]';

/** Focuses `element`, making it focusable from script first when it is not already (a heading). */
export function focusElement(element: Element | null | undefined): boolean {
  if (!(element instanceof HTMLElement) || !element.isConnected) return false;
  if (element.tabIndex < 0 && !element.hasAttribute('tabindex')) element.tabIndex = -1;
  element.focus();
  return document.activeElement === element;
}

/** Watches the document once (PageLayout): moves focus on when the focused element is removed. */
export function useFocusRule(): void {
  useEffect(() => {
    let last: Element | null = null;
    const remember = (event: FocusEvent) => {
      last = event.target instanceof Element ? event.target : null;
    };
    // Focus given up on purpose (a click on the page) is not focus lost: forget the element, unless
    // it was removed, which the observer below handles first (its callback runs before this timer).
    const forget = (event: FocusEvent) => {
      const left = event.target;
      if (event.relatedTarget !== null || !(left instanceof Element)) return;
      setTimeout(() => {
        if (last === left && left.isConnected && document.activeElement === document.body)
          last = null;
      });
    };
    // A removed element gets no blur in every browser: a mutation that leaves focus on the page
    // while the last focused element is gone is the sign. Mutation callbacks run before the next
    // frame, so the page is never painted with focus lost.
    const observer = new MutationObserver((records) => {
      const active = document.activeElement;
      if (active && active !== document.body) return;
      if (!last || last.isConnected) return;
      const target =
        newestTarget(records) ??
        document.querySelector(`main ${TARGET_SELECTOR}`) ??
        document.querySelector('main h1') ??
        document.querySelector('main');
      if (focusElement(target)) last = target;
    });
    document.addEventListener('focusin', remember);
    document.addEventListener('focusout', forget);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener('focusin', remember);
      document.removeEventListener('focusout', forget);
      observer.disconnect();
    };
  }, []);
}

/**
 * For a control that stays where it was but whose news is elsewhere (Check connection's results,
 * "Save anyway?"): `focusAfterRender('#id')` focuses that element now when it is there, else once the
 * next render shows it.
 */
export function useFocusAfterRender(): (selector: string) => void {
  const wanted = useRef<string | null>(null);
  useEffect(() => {
    if (wanted.current && focusElement(document.querySelector(wanted.current)))
      wanted.current = null;
  });
  return useCallback((selector: string) => {
    // Already there (a field, a button that stays): now, before anything it contains goes away.
    wanted.current = focusElement(document.querySelector(selector)) ? null : selector;
  }, []);
}

function newestTarget(records: MutationRecord[]): Element | undefined {
  for (const record of [...records].reverse()) {
    for (const node of [...record.addedNodes].reverse()) {
      if (!(node instanceof Element) || !node.isConnected) continue;
      if (node.matches(TARGET_SELECTOR)) return node;
      const inside = node.querySelector(TARGET_SELECTOR);
      if (inside) return inside;
    }
  }
  return undefined;
}
