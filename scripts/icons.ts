/**
 * npm run icons — the app icon in every format electron-builder wants, from build/icon.svg (the brand
 * mark), rendered by Chromium (the tests' system browser: PLAYWRIGHT_CHROMIUM_EXECUTABLE or
 * /usr/bin/chromium), written next to it and committed:
 *
 *   build/icon.png   1024×1024 (Linux; electron-builder's source when nothing else is given)
 *   build/icon.ico   16–256 px PNG entries (Windows Vista and later read PNG inside ICO)
 *   build/icon.icns  16 px–1024 px PNG entries (macOS 10.7+)
 *
 * electron-builder would convert a PNG itself with a tool it downloads, which fails offline; with
 * these three files it converts nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchSystemBrowser } from '../test/support/system-browser.ts';

const buildDir = fileURLToPath(new URL('../build/', import.meta.url));

/** ICO: a directory of PNG images (https://en.wikipedia.org/wiki/ICO_(file_format)). */
export function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map(({ png }) => png)]);
}

/** The ICNS types holding PNG data, by pixel size (Apple's icns format; "@2x" types share a size). */
export const ICNS_TYPES: readonly { type: string; pixels: number }[] = [
  { type: 'icp4', pixels: 16 },
  { type: 'icp5', pixels: 32 },
  { type: 'icp6', pixels: 64 },
  { type: 'ic07', pixels: 128 },
  { type: 'ic08', pixels: 256 },
  { type: 'ic09', pixels: 512 },
  { type: 'ic10', pixels: 1024 },
  { type: 'ic11', pixels: 32 },
  { type: 'ic12', pixels: 64 },
  { type: 'ic13', pixels: 256 },
  { type: 'ic14', pixels: 512 },
];

export function icns(pngBySize: Map<number, Buffer>): Buffer {
  const chunks = ICNS_TYPES.map(({ type, pixels }) => {
    const png = pngBySize.get(pixels);
    if (!png) throw new Error(`no ${pixels} px image for ${type}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

async function render(svg: string, sizes: number[]): Promise<Map<number, Buffer>> {
  const browser = await launchSystemBrowser();
  try {
    const page = await browser.newPage();
    const images = new Map<number, Buffer>();
    for (const size of sizes) {
      await page.setViewportSize({ width: size, height: size });
      const scaled = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
      await page.setContent(
        `<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${scaled}`,
      );
      images.set(
        size,
        await page.screenshot({
          omitBackground: true,
          clip: { x: 0, y: 0, width: size, height: size },
        }),
      );
    }
    return images;
  } finally {
    await browser.close();
  }
}

if (import.meta.filename === process.argv[1]) {
  const svg = readFileSync(path.join(buildDir, 'icon.svg'), 'utf8');
  const images = await render(svg, [16, 24, 32, 48, 64, 128, 256, 512, 1024]);
  const get = (size: number) => images.get(size) as Buffer;
  writeFileSync(path.join(buildDir, 'icon.png'), get(1024));
  writeFileSync(
    path.join(buildDir, 'icon.ico'),
    ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: get(size) }))),
  );
  writeFileSync(path.join(buildDir, 'icon.icns'), icns(images));
  for (const name of ['icon.png', 'icon.ico', 'icon.icns']) {
    console.log(
      `build/${name}: ${readFileSync(path.join(buildDir, name)).length.toLocaleString('en-US')} B`,
    );
  }
}
