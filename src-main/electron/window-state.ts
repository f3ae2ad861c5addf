/**
 * The window reopens where the user left it: size, position and maximised state, kept across
 * restarts and clamped to the displays that exist now (a monitor unplugged since, a resolution
 * lowered, a laptop undocked).
 *
 *   parseWindowState   what was stored, validated: the file is outside the app's control
 *   restoreBounds      where to open, a pure function of the stored state and today's displays
 *   trackWindowState   captures the window's normal bounds after a move or resize (debounced) and
 *                      at close, and hands them to `save`
 *
 * Type-only Electron imports: main.ts passes the real window and `screen`'s displays, tests pass
 * plain data and fakes (test/unit/electron-window-state.test.ts, with fast-check properties).
 */
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  /** The window's normal (not maximised, not minimised) bounds, in screen DIPs. */
  bounds: Rectangle;
  maximized: boolean;
}

/** Where and how the window opens. No x/y: Electron centres it on the primary display. */
export interface WindowPlacement {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface WindowSizeLimits {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

/** A display as `screen.getAllDisplays()` describes it: only the part not taken by taskbars and docks. */
export type DisplayArea = { workArea: Rectangle };

/** Moves and resizes arrive dozens of times a second while dragging; write once it has settled. */
export const WINDOW_STATE_SAVE_DELAY_MS = 500;
/** Larger than any real desktop (several 8K displays side by side); beyond it the file is not ours. */
const MAX_COORDINATE = 100_000;
const MAX_SIZE = 32_768;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCoordinate = (value: unknown): value is number =>
  Number.isSafeInteger(value) && Math.abs(value as number) <= MAX_COORDINATE;
const isSize = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_SIZE;

/** The stored state, or undefined when there is none or it is not a plausible window (then: defaults). */
export function parseWindowState(value: unknown): WindowState | undefined {
  if (!isObject(value) || !isObject(value.bounds) || typeof value.maximized !== 'boolean')
    return undefined;
  const { x, y, width, height } = value.bounds;
  if (!isCoordinate(x) || !isCoordinate(y) || !isSize(width) || !isSize(height)) return undefined;
  return { bounds: { x, y, width, height }, maximized: value.maximized };
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

/**
 * Where the window opens. The first time: centred at the default size, shrunk to a small primary
 * display. After that: on the display that shows most of the stored window, moved and shrunk as
 * little as needed to lie wholly inside that display's work area; when no display shows any of it,
 * centred on the primary display. Never smaller than the minimum size unless the display itself is.
 */
export function restoreBounds(
  saved: WindowState | undefined,
  screen: { displays: readonly DisplayArea[]; primary: DisplayArea },
  limits: WindowSizeLimits,
): WindowPlacement {
  if (!saved) {
    // The first time: the default size, or the primary display's work area if that is smaller.
    const work = screen.primary.workArea;
    return {
      width: Math.min(limits.width, work.width),
      height: Math.min(limits.height, work.height),
      maximized: false,
    };
  }
  const { bounds } = saved;
  let target: DisplayArea | undefined;
  let best = 0;
  for (const display of screen.displays) {
    const area = overlapArea(bounds, display.workArea);
    if (area > best) {
      best = area;
      target = display;
    }
  }
  const work = (target ?? screen.primary).workArea;
  const width = Math.min(Math.max(bounds.width, limits.minWidth), work.width);
  const height = Math.min(Math.max(bounds.height, limits.minHeight), work.height);
  if (!target) {
    // Off every display (it was on one that is gone): centre on the primary one.
    return {
      x: work.x + Math.floor((work.width - width) / 2),
      y: work.y + Math.floor((work.height - height) / 2),
      width,
      height,
      maximized: saved.maximized,
    };
  }
  return {
    x: clamp(bounds.x, work.x, work.x + work.width - width),
    y: clamp(bounds.y, work.y, work.y + work.height - height),
    width,
    height,
    maximized: saved.maximized,
  };
}

export type TrackedWindow = Pick<
  BrowserWindow,
  'on' | 'getNormalBounds' | 'isMaximized' | 'isDestroyed'
>;

export interface TrackOptions {
  delayMs?: number;
}

/**
 * Saves the window's state `delayMs` after the last move, resize, maximise or unmaximise, and at
 * once when it closes (a pending save is replaced by that one). The normal bounds are stored, so a
 * maximised window restores to the size it had before it was maximised.
 */
export function trackWindowState(
  window: TrackedWindow,
  save: (state: WindowState) => void,
  options: TrackOptions = {},
): void {
  const delayMs = options.delayMs ?? WINDOW_STATE_SAVE_DELAY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const capture = () => {
    clearTimeout(timer);
    timer = undefined;
    if (window.isDestroyed()) return;
    save({ bounds: window.getNormalBounds(), maximized: window.isMaximized() });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(capture, delayMs);
  };

  window.on('resize', schedule);
  window.on('move', schedule);
  window.on('maximize', schedule);
  window.on('unmaximize', schedule);
  // 'close' comes before the window is destroyed: its bounds can still be read.
  window.on('close', capture);
  window.on('closed', () => clearTimeout(timer));
}
