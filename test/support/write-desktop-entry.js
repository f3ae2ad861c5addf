// electron-builder `afterPack` hook for the packaging test: `--dir` builds no installer, so no .desktop
// file; this writes the ones the deb and AppImage targets would write (electron-builder's own
// LinuxTargetHelper and AppImageTarget, same options) next to the unpacked folder: `<desktopName>` as
// the deb names it, and `<desktopName>.AppImage` for the AppImage's (Exec=AppRun …).
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(
  createRequire(import.meta.url).resolve('electron-builder/package.json'),
);
const fromBuilderLib = (file) =>
  require(require.resolve(file, { paths: [require.resolve('app-builder-lib')] }));
const { LinuxTargetHelper } = fromBuilderLib('app-builder-lib/out/targets/LinuxTargetHelper.js');
const { default: AppImageTarget } = fromBuilderLib(
  'app-builder-lib/out/targets/appimage/AppImageTarget.js',
);

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { platformSpecificBuildOptions: object } }} context */
export default async function writeDesktopEntry(context) {
  if (context.electronPlatformName !== 'linux') return;
  const helper = new LinuxTargetHelper(context.packager);
  const entry = await helper.computeDesktopEntry(context.packager.platformSpecificBuildOptions);
  const outDir = path.dirname(context.appOutDir);
  await writeFile(path.join(outDir, `${helper.getDesktopFileName()}.desktop`), entry);
  const appImage = new AppImageTarget(null, context.packager, helper, outDir);
  await writeFile(
    path.join(outDir, `${helper.getDesktopFileName()}.AppImage.desktop`),
    await appImage.desktopEntry.value,
  );
}
