import { fileURLToPath } from 'node:url';

/** The project root: package.json's `main` (dist/main/main.js) is what Electron starts. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
