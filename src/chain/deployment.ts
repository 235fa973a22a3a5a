import { readFile, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import {
  type Deployment,
  DeploymentFileError,
  decodeDeployment,
  encodeDeployment,
} from './deploymentFormat.ts'

// The format itself has no Node dependency, for browsers; reading and writing files is here.
export {
  type Deployment,
  type DeploymentContracts,
  DeploymentFileError,
  decodeDeployment,
  encodeDeployment,
} from './deploymentFormat.ts'

/** Reads and checks a deployment file; a relative development policy path becomes absolute. */
export async function readDeployment(path: string): Promise<Deployment> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new DeploymentFileError(`cannot read the deployment file ${path}`)
  }
  const deployment = decodeDeployment(text, path)
  if (deployment.development && !isAbsolute(deployment.development.policy))
    deployment.development.policy = resolve(dirname(path), deployment.development.policy)
  return deployment
}

export async function writeDeployment(path: string, deployment: Deployment): Promise<void> {
  await writeFile(path, encodeDeployment(deployment))
}
