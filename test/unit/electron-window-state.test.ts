/**
 * The window's place across restarts (src-main/electron/window-state.ts): the stored file validated,
 * the window put back on a display that exists now (fast-check properties over arbitrary states and
 * display layouts), and the capture after moves and resizes (debounced) and at close, with a fake
 * window that emits Electron's documented events.
 */
import { EventEmitter } from 'node:events';
import type { Rectangle } from 'electron';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  WINDOW_STATE_SAVE_DELAY_MS,
  parseWindowState,
  restoreBounds,
  trackWindowState,
  type DisplayArea,
  type WindowPlacement,
  type WindowState,
} from '../../src-main/electron/window-state.ts';
import { WINDOW_SIZE } from '../../src-main/electron/window.ts';

const laptop: DisplayArea = { workArea: { x: 0, y: 25, width: 1440, height: 875 } };
/** A second monitor to the left of the laptop, as macOS and Windows give it negative coordinates. */
const leftMonitor: DisplayArea = { workArea: { x: -1920, y: 0, width: 1920, height: 1040 } };

const inside = (placement: WindowPlacement, work: Rectangle) =>
  placement.x !== undefined &&
  placement.y !== undefined &&
  placement.x >= work.x &&
  placement.y >= work.y &&
  placement.x + placement.width <= work.x + work.width &&
  placement.y + placement.height <= work.y + work.height;

describe('parseWindowState', () => {
  it('accepts what trackWindowState saves', () => {
    const state = { bounds: { x: -1900, y: 10, width: 1200, height: 800 }, maximized: true };
    expect(parseWindowState(structuredClone(state))).toEqual(state);
  });

  it.each([
    ['nothing stored', undefined],
    ['null', null],
    ['an array', [1, 2, 3, 4]],
    ['no maximized flag', { bounds: { x: 0, y: 0, width: 800, height: 600 } }],
    [
      'maximized as a string',
      { bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: 'true' },
    ],
    ['a fractional size', { bounds: { x: 0, y: 0, width: 800.5, height: 600 }, maximized: false }],
    ['a zero width', { bounds: { x: 0, y: 0, width: 0, height: 600 }, maximized: false }],
    ['a negative height', { bounds: { x: 0, y: 0, width: 800, height: -600 }, maximized: false }],
    [
      'a size from no real screen',
      { bounds: { x: 0, y: 0, width: 10_000_000, height: 600 }, maximized: false },
    ],
    [
      'a position far off any desktop',
      { bounds: { x: 1e9, y: 0, width: 800, height: 600 }, maximized: false },
    ],
    ['NaN', { bounds: { x: Number.NaN, y: 0, width: 800, height: 600 }, maximized: false }],
    [
      'numbers as strings',
      { bounds: { x: '0', y: '0', width: '800', height: '600' }, maximized: false },
    ],
  ])('refuses %s (the window then opens at its default size)', (_name, value) => {
    expect(parseWindowState(value)).toBeUndefined();
  });

  it('never throws and only ever answers a plausible state, whatever the file holds', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parsed = parseWindowState(value);
        if (parsed === undefined) return;
        expect(Object.keys(parsed).sort()).toEqual(['bounds', 'maximized']);
        for (const n of Object.values(parsed.bounds)) expect(Number.isSafeInteger(n)).toBe(true);
      }),
    );
  });
});

describe('restoreBounds', () => {
  const screens = (...displays: DisplayArea[]) => ({ displays, primary: displays[0]! });

  it('opens at the default size, centred by Electron, the first time; no larger than a small primary display', () => {
    expect(restoreBounds(undefined, screens(laptop), WINDOW_SIZE)).toEqual({
      width: WINDOW_SIZE.width,
      height: WINDOW_SIZE.height,
      maximized: false,
    });
    const small: DisplayArea = { workArea: { x: 0, y: 0, width: 1024, height: 600 } };
    expect(restoreBounds(undefined, screens(small, laptop), WINDOW_SIZE)).toEqual({
      width: 1024,
      height: 600,
      maximized: false,
    });
  });

  it('puts a window that fits back exactly where it was, maximised or not', () => {
    const state: WindowState = {
      bounds: { x: -1800, y: 40, width: 1000, height: 700 },
      maximized: true,
    };
    expect(restoreBounds(state, screens(laptop, leftMonitor), WINDOW_SIZE)).toEqual({
      ...state.bounds,
      maximized: true,
    });
  });

  it('centres on the primary display a window whose monitor was unplugged', () => {
    const state: WindowState = {
      bounds: { x: -1800, y: 40, width: 1000, height: 700 },
      maximized: false,
    };
    expect(restoreBounds(state, screens(laptop), WINDOW_SIZE)).toEqual({
      x: 220,
      y: 112,
      width: 1000,
      height: 700,
      maximized: false,
    });
  });

  it('shrinks a window larger than the display it is on, and pulls a half-hidden one fully on screen', () => {
    const big: WindowState = {
      bounds: { x: 100, y: 100, width: 2500, height: 1600 },
      maximized: false,
    };
    expect(restoreBounds(big, screens(laptop), WINDOW_SIZE)).toEqual({
      ...laptop.workArea,
      maximized: false,
    });
    const hanging: WindowState = {
      bounds: { x: 1300, y: 700, width: 800, height: 600 },
      maximized: false,
    };
    expect(restoreBounds(hanging, screens(laptop), WINDOW_SIZE)).toEqual({
      x: 640,
      y: 300,
      width: 800,
      height: 600,
      maximized: false,
    });
  });

  it('grows a window stored below the minimum size back to it', () => {
    const tiny: WindowState = { bounds: { x: 10, y: 30, width: 50, height: 40 }, maximized: false };
    const placement = restoreBounds(tiny, screens(laptop), WINDOW_SIZE);
    expect([placement.width, placement.height]).toEqual([
      WINDOW_SIZE.minWidth,
      WINDOW_SIZE.minHeight,
    ]);
  });

  it('picks the display that showed most of a window that straddled two', () => {
    const straddling: WindowState = {
      bounds: { x: -300, y: 100, width: 1000, height: 600 },
      maximized: false,
    };
    const placement = restoreBounds(straddling, screens(laptop, leftMonitor), WINDOW_SIZE);
    expect(inside(placement, laptop.workArea)).toBe(true);
    expect(placement).toMatchObject({ x: 0, y: 100, width: 1000, height: 600 });
  });

  // Display layouts: 1–4 work areas anywhere on a large desktop, at least 200×150 each.
  const rect = fc.record({
    x: fc.integer({ min: -20_000, max: 20_000 }),
    y: fc.integer({ min: -20_000, max: 20_000 }),
    width: fc.integer({ min: 200, max: 8000 }),
    height: fc.integer({ min: 150, max: 5000 }),
  });
  const display = rect.map((workArea): DisplayArea => ({ workArea }));
  const layout = fc
    .array(display, { minLength: 1, maxLength: 4 })
    .map((displays) => ({ displays, primary: displays[0]! }));
  const state = fc.record({
    bounds: fc.record({
      x: fc.integer({ min: -100_000, max: 100_000 }),
      y: fc.integer({ min: -100_000, max: 100_000 }),
      width: fc.integer({ min: 1, max: 32_768 }),
      height: fc.integer({ min: 1, max: 32_768 }),
    }),
    maximized: fc.boolean(),
  });

  it('property: the window always opens wholly inside one of today’s displays, in whole pixels', () => {
    fc.assert(
      fc.property(state, layout, (saved, screen) => {
        const placement = restoreBounds(saved, screen, WINDOW_SIZE);
        expect(screen.displays.some((each) => inside(placement, each.workArea))).toBe(true);
        for (const n of [placement.x, placement.y, placement.width, placement.height])
          expect(Number.isInteger(n)).toBe(true);
        expect(placement.maximized).toBe(saved.maximized);
      }),
    );
  });

  it('property: the first window (nothing stored) fits the primary display', () => {
    fc.assert(
      fc.property(layout, (screen) => {
        const placement = restoreBounds(undefined, screen, WINDOW_SIZE);
        expect(placement.width).toBeLessThanOrEqual(screen.primary.workArea.width);
        expect(placement.height).toBeLessThanOrEqual(screen.primary.workArea.height);
        expect(placement).not.toHaveProperty('x');
      }),
    );
  });

  it('property: never below the minimum size where the display is large enough for it', () => {
    fc.assert(
      fc.property(state, layout, (saved, screen) => {
        const placement = restoreBounds(saved, screen, WINDOW_SIZE);
        const host = screen.displays.find((each) => inside(placement, each.workArea))!.workArea;
        expect(placement.width).toBeGreaterThanOrEqual(Math.min(WINDOW_SIZE.minWidth, host.width));
        expect(placement.height).toBeGreaterThanOrEqual(
          Math.min(WINDOW_SIZE.minHeight, host.height),
        );
      }),
    );
  });

  it('property: a window that fitted on a display comes back untouched', () => {
    const fitting = layout.chain((screen) => {
      const work = screen.displays[0]!.workArea;
      return fc
        .record({
          width: fc.integer({ min: Math.min(WINDOW_SIZE.minWidth, work.width), max: work.width }),
          height: fc.integer({
            min: Math.min(WINDOW_SIZE.minHeight, work.height),
            max: work.height,
          }),
          maximized: fc.boolean(),
        })
        .chain(({ width, height, maximized }) =>
          fc
            .record({
              x: fc.integer({ min: work.x, max: work.x + work.width - width }),
              y: fc.integer({ min: work.y, max: work.y + work.height - height }),
            })
            .map(({ x, y }) => ({
              screen,
              saved: { bounds: { x, y, width, height }, maximized },
            })),
        );
    });
    fc.assert(
      fc.property(fitting, ({ saved, screen }) => {
        // Only when it is at least the minimum size and no other display shows more of it.
        fc.pre(
          saved.bounds.width >= WINDOW_SIZE.minWidth &&
            saved.bounds.height >= WINDOW_SIZE.minHeight,
        );
        fc.pre(
          screen.displays
            .slice(1)
            .every((each) => !overlaps(each.workArea, screen.displays[0]!.workArea)),
        );
        expect(restoreBounds(saved, screen, WINDOW_SIZE)).toEqual({
          ...saved.bounds,
          maximized: saved.maximized,
        });
      }),
    );
  });
});

function overlaps(a: Rectangle, b: Rectangle): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A BrowserWindow as the tracker sees it: Electron's events, normal bounds, maximised or not. */
class FakeWindow extends EventEmitter {
  bounds: Rectangle = { x: 10, y: 20, width: 1100, height: 760 };
  maximized = false;
  destroyed = false;
  getNormalBounds = () => ({ ...this.bounds });
  isMaximized = () => this.maximized;
  isDestroyed = () => this.destroyed;
}

describe('trackWindowState', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function tracked() {
    vi.useFakeTimers();
    const window = new FakeWindow();
    const save = vi.fn<(state: WindowState) => void>();
    trackWindowState(window as never, save);
    return { window, save };
  }

  it(`saves once, ${WINDOW_STATE_SAVE_DELAY_MS} ms after a drag has settled, with the final bounds`, () => {
    const { window, save } = tracked();
    for (let x = 10; x <= 400; x += 10) {
      window.bounds.x = x;
      window.emit('move');
      vi.advanceTimersByTime(16); // one frame
    }
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(WINDOW_STATE_SAVE_DELAY_MS);
    expect(save.mock.calls).toEqual([
      [{ bounds: { x: 400, y: 20, width: 1100, height: 760 }, maximized: false }],
    ]);
  });

  it('saves the normal bounds with maximized: true after a maximise, so unmaximising restores the old size', () => {
    const { window, save } = tracked();
    window.maximized = true;
    window.emit('maximize');
    window.emit('resize');
    vi.advanceTimersByTime(WINDOW_STATE_SAVE_DELAY_MS);
    expect(save.mock.calls).toEqual([
      [{ bounds: { x: 10, y: 20, width: 1100, height: 760 }, maximized: true }],
    ]);
  });

  it('saves at once when the window closes, replacing a pending save, and never after', () => {
    const { window, save } = tracked();
    window.bounds.width = 900;
    window.emit('resize');
    window.emit('close');
    expect(save.mock.calls).toEqual([
      [{ bounds: { x: 10, y: 20, width: 900, height: 760 }, maximized: false }],
    ]);
    window.destroyed = true;
    window.emit('closed');
    vi.advanceTimersByTime(10 * WINDOW_STATE_SAVE_DELAY_MS);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('saves what parseWindowState reads back and restoreBounds puts back in place', () => {
    const { window, save } = tracked();
    window.bounds = { x: 200, y: 100, width: 1000, height: 700 };
    window.emit('close');
    const stored = JSON.parse(JSON.stringify(save.mock.calls[0]![0])) as unknown;
    expect(
      restoreBounds(parseWindowState(stored), { displays: [laptop], primary: laptop }, WINDOW_SIZE),
    ).toEqual({ ...window.bounds, maximized: false });
  });
});
