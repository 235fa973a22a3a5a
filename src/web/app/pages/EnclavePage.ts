import type { Address } from 'viem'
import { zeroHash } from 'viem'
import { getEnclave } from '../../../chain/actions/registry/getEnclave.ts'
import { pagePolicy } from '../../data/pagePolicy.ts'
import { Facts, HashText, LoadState } from '../components/basics.ts'
import { ChecksReport } from '../components/ChecksReport.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatTime, hardwareName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'
import { tcbStatusOf, useEnclaveVerification } from './EnclavesPage.ts'

/** One enclave's on-chain record and its evidence, verified in this browser. */
export function EnclavePage(props: { enclave: Address }) {
  const { chain, config, head } = useExplorer()
  const record = useLoad(() => getEnclave(chain, { enclave: props.enclave }), [props.enclave, head])
  const verification = useEnclaveVerification(props.enclave)
  const policy = useLoad(() => pagePolicy(config, chain, new Date()), [])
  const value = record.value
  return html`<h1>Enclave <${HashText} value=${props.enclave} full /></h1>
    <${LoadState} state=${record} what="the enclave" />
    ${record.value === undefined && !record.loading && !record.error ? html`<p class="error">No enclave ${props.enclave} is registered.</p>` : ''}
    ${
      value &&
      html`<${Facts}
        rows=${[
          ['provider', html`<${HashText} value=${value.provider} full />`],
          ['hardware', hardwareName(value.hardware)],
          ['runtime measurement', html`<${HashText} value=${value.measurement} full />`],
          ['TCB status', verification.value ? tcbStatusOf(verification.value.verdict) : '…'],
          ['expires', formatTime(value.expiresAt)],
          [
            'status',
            value.status === 2
              ? `revoked ${formatTime(value.revokedAt)}${value.revokedByCommittee ? ' by the committee' : ' by its provider'}`
              : 'active',
          ],
          ['HPKE public key', html`<${HashText} value=${value.hpkePublicKey} full />`],
          ['evidence', html`<${HashText} value=${value.evidenceHash} full />`],
          [
            'collateral',
            value.collateralHash === zeroHash
              ? 'none (not needed)'
              : html`<${HashText} value=${value.collateralHash} full />`,
          ],
          [
            'GPU evidence',
            value.gpuEvidenceHash === zeroHash
              ? 'no confidential GPU'
              : html`<${HashText} value=${value.gpuEvidenceHash} full />`,
          ],
        ]}
      />`
    }
    <h2>Verification in this browser</h2>
    ${policy.value ? html`<p class="intro">${policy.value.description}</p>` : ''}
    <${LoadState} state=${verification} what="the enclave’s evidence" />
    ${verification.value && html`<${ChecksReport} checks=${verification.value.checks} />`}`
}
