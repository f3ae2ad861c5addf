/**
 * A devstack that can be stopped and started again as the same provider: two free ports and a state
 * folder of its own, so a restart keeps its issuer, signing keys and grants (devstack/state.ts).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevstack, type Devstack } from '../../devstack/index.ts';
import { closedPort } from './ports.ts';

export interface RestartableDevstack {
  /** Starts the devstack (again) on the same ports and state folder. */
  (): Promise<Devstack>;
  /** Its state folder. */
  readonly dataDir: string;
}

/** Picks the ports and the state folder (under a temporary folder named `prefix…`); starts nothing. */
export async function restartableDevstack(
  prefix = 'devstack-state-',
): Promise<RestartableDevstack> {
  const idpPort = await closedPort();
  let apiPort = await closedPort();
  while (apiPort === idpPort) apiPort = await closedPort();
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), prefix)), 'devstack');
  return Object.assign(() => startDevstack({ quiet: true, idpPort, apiPort, dataDir }), {
    dataDir,
  });
}
