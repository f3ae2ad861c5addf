/**
 * Where the Electron app reads its settings and keeps its profile: pure functions of plain data,
 * like policy.ts; main.ts only asks and obeys.
 *
 * Packaged, an organisation's managed `app-config.json` (shipped beside the app's resources with
 * electron-builder's `extraResources`) wins over everything: the environment and `<userData>/.env`
 * only fill in what it leaves unset, and `APP_USER_DATA_DIR` is ignored, so neither a user's shell,
 * a file any program of the user can write, nor a moved profile overrides what the organisation set.
 * Unpackaged (development, the Electron tests) the environment and the project's `.env` come first,
 * and `APP_USER_DATA_DIR` picks a separate profile per run.
 */
import path from 'node:path';

export interface ConfigSourcesInput {
  isPackaged: boolean;
  /** `app.getPath('userData')`, after any override. */
  userDataDir: string;
  /** `process.resourcesPath` */
  resourcesPath: string;
  /** `process.cwd()` */
  cwd: string;
}

export interface ConfigSources {
  /** Where a `.env` is looked for. */
  cwd: string;
  /** The organisation's file; none in development. */
  managedConfigFile?: string;
  /** The managed file wins over the environment and `.env`. */
  managedConfigWins: boolean;
}

export function configSources(input: ConfigSourcesInput): ConfigSources {
  if (!input.isPackaged) return { cwd: input.cwd, managedConfigWins: false };
  return {
    cwd: input.userDataDir,
    managedConfigFile: path.join(input.resourcesPath, 'app-config.json'),
    managedConfigWins: true,
  };
}

/** The profile folder the environment asks for: honoured only in an unpackaged app. */
export function userDataOverride(input: {
  isPackaged: boolean;
  env: NodeJS.ProcessEnv;
}): string | undefined {
  if (input.isPackaged || !input.env.APP_USER_DATA_DIR) return undefined;
  return path.resolve(input.env.APP_USER_DATA_DIR);
}
