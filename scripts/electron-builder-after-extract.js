// electron-builder `afterExtract` hook, used by scripts/dist.ts when it packages the Electron already in
// node_modules/electron/dist: electron-builder removes Electron's default app only from Electron builds
// it downloaded itself, so remove it here (the onlyLoadAppFromAsar fuse would never load it; it is
// simply not ours to ship). On macOS the bundle may not be renamed yet at this point: try both names.
import { rm } from 'node:fs/promises';
import path from 'node:path';

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string } } }} context */
export default async function afterExtract(context) {
  const resourceDirs =
    context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
      ? ['Electron.app', `${context.packager.appInfo.productFilename}.app`].map((app) =>
          path.join(context.appOutDir, app, 'Contents', 'Resources'),
        )
      : [path.join(context.appOutDir, 'resources')];
  await Promise.all(
    resourceDirs.map((dir) => rm(path.join(dir, 'default_app.asar'), { force: true })),
  );
}
