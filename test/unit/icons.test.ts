/**
 * The committed app icons (npm run icons, from build/icon.svg) are what electron-builder takes without
 * converting anything: a 1024 px PNG, an ICO up to 256 px and an ICNS up to 1024 px, every image a PNG
 * of the size its entry claims.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ICNS_TYPES } from '../../scripts/icons.ts';

const build = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../build/${name}`, import.meta.url)));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR, and whether it has an alpha channel (colour type 6). */
function png(data: Buffer): { width: number; height: number; alpha: boolean } {
  expect(data.subarray(0, 8).equals(PNG_SIGNATURE), 'a PNG').toBe(true);
  expect(data.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), alpha: data[25] === 6 };
}

describe('app icons', () => {
  it('build/icon.png is 1024×1024 with transparency', () => {
    expect(png(build('icon.png'))).toEqual({ width: 1024, height: 1024, alpha: true });
  });

  it('build/icon.ico holds 16 to 256 px images, each the size its directory entry says', () => {
    const ico = build('icon.ico');
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico[entry] || 256;
      const image = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      );
      expect(png(image)).toMatchObject({ width: size, height: size });
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('build/icon.icns holds 16 to 1024 px images under Apple’s PNG types', () => {
    const icns = build('icon.icns');
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const found: string[] = [];
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('latin1', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      const expected = ICNS_TYPES.find((entry) => entry.type === type);
      expect(expected, `known type ${type}`).toBeDefined();
      expect(png(icns.subarray(offset + 8, offset + length))).toMatchObject({
        width: expected?.pixels,
        height: expected?.pixels,
      });
      found.push(type);
      offset += length;
    }
    expect(found).toEqual(ICNS_TYPES.map((entry) => entry.type));
  });
});
