// electron-builder `afterPack` hook for the packaging test: `--dir` builds no installer, so no .desktop
// file; this writes the one the AppImage and deb targets would write (electron-builder's own
// LinuxTargetHelper, same options), named as they name it, next to the unpacked folder.
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(
  createRequire(import.meta.url).resolve('electron-builder/package.json'),
);
const { LinuxTargetHelper } = require(
  require.resolve('app-builder-lib/out/targets/LinuxTargetHelper.js', {
    paths: [require.resolve('app-builder-lib')],
  }),
);

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { platformSpecificBuildOptions: object } }} context */
export default async function writeDesktopEntry(context) {
  if (context.electronPlatformName !== 'linux') return;
  const helper = new LinuxTargetHelper(context.packager);
  const entry = await helper.computeDesktopEntry(context.packager.platformSpecificBuildOptions);
  await writeFile(
    path.join(path.dirname(context.appOutDir), `${helper.getDesktopFileName()}.desktop`),
    entry,
  );
}
