/**
 * One name everywhere (issue 22, L11): the name the OS shows for the packaged app (electron-builder's
 * productName), the renderer's first title, the pages the browser shows after sign-in, and the demo
 * provider's pages all say APP_NAME.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCT_NAME } from '../../devstack/pages.ts';
import { APP_NAME } from '../../src-preload/app-name.ts';
import { LoopbackReceiver } from '../../src-main/core/loopback.ts';
import { send } from '../support/http.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the app’s one name', () => {
  it('is package.json’s productName and the renderer’s first title', () => {
    expect((JSON.parse(read('package.json')) as { productName?: string }).productName).toBe(
      APP_NAME,
    );
    // electron-builder.yml does not override it (the packaged package.json carries the one name).
    expect(read('electron-builder.yml')).not.toMatch(/^productName:/m);
    expect(/<title>([^<]*)<\/title>/.exec(read('src-renderer/index.html'))?.[1]).toBe(APP_NAME);
  });

  it('is what the demo provider’s pages and the loopback pages call the app', async () => {
    expect(PRODUCT_NAME).toBe(APP_NAME);
    const receiver = await LoopbackReceiver.start({ ports: [], path: '/callback' });
    try {
      const page = await send(new URL('/nothing', receiver.redirectUri).href);
      expect(page.body).toContain(`<p class="app">${APP_NAME}</p>`);
      expect(page.body).not.toContain('desktop app');
    } finally {
      await receiver.close();
    }
  });

  it('is the only name of the app in the renderer’s sources', () => {
    for (const file of [
      'src-renderer/components/navigation/desktop/nav-bar-brand.tsx',
      'src-renderer/components/navigation/mobile/mobile-nav-bar-brand.tsx',
      'src-renderer/components/hero-banner.tsx',
      'src-renderer/app.tsx',
      'src-main/electron/window.ts',
    ]) {
      const source = read(file);
      expect(source, file).toContain('APP_NAME');
      expect(source, file).not.toMatch(/['>]Hello World['<]/);
    }
  });
});
