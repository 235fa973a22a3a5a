import { useState } from 'preact/hooks'
import { bytesToHex, type Hex } from 'viem'
import type { Check } from '../../../attestation/checks.ts'
import { listCatalogOffers } from '../../../chain/actions/catalog/listCatalogOffers.ts'
import { listTeeOffers } from '../../../chain/actions/market/listTeeOffers.ts'
import { placeOrder } from '../../../client/placeOrder.ts'
import { verifyEnclave } from '../../../client/verifyEnclave.ts'
import { exportHpkePrivateKey } from '../../../crypto/hpke.ts'
import { shortMessageOf } from '../../../errors.ts'
import { formatOrderId } from '../../../protocol/orderTerms.ts'
import { loadEnclaves } from '../../data/loadEnclaves.ts'
import { pagePolicy } from '../../data/pagePolicy.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { ChecksReport } from '../components/ChecksReport.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatAmount, hardwareName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

type Placing = {
  step?: string
  error?: string
  refused?: Check[]
  placed?: { orderId: Hex; resultKey: Hex }
}

/**
 * Orders from a file: the page verifies the enclave itself, encrypts the file here under a fresh
 * key sealed to that enclave, stores the ciphertext, and creates the order with escrow through the
 * connected wallet. The result key is made here and stays in this page (save it to read the
 * result later).
 */
export function NewOrderPage() {
  const { chain, blobs, config, head, signer, token, resultKeys } = useExplorer()
  const offers = useLoad(async () => {
    const [tee, catalog, enclaves] = await Promise.all([
      listTeeOffers(chain),
      listCatalogOffers(chain),
      loadEnclaves(chain),
    ])
    return {
      tee: tee.filter((offer) => offer.active),
      solutions: catalog.solutions.filter((offer) => offer.active),
      enclaves: enclaves.filter((enclave) => enclave.usable),
    }
  }, [head])
  const [teeOfferId, setTeeOfferId] = useState<number>()
  const [solutionOfferId, setSolutionOfferId] = useState<number>()
  const [enclave, setEnclave] = useState<Hex>()
  const [file, setFile] = useState<File>()
  const [placing, setPlacing] = useState<Placing>({})

  const tee =
    offers.value?.tee.find((offer) => offer.offerId === teeOfferId) ?? offers.value?.tee[0]
  const solution =
    offers.value?.solutions.find((offer) => offer.offerId === solutionOfferId) ??
    offers.value?.solutions[0]
  const candidates = (offers.value?.enclaves ?? []).filter(
    (entry) =>
      tee &&
      entry.record.provider.toLowerCase() === tee.provider.toLowerCase() &&
      entry.record.hardware === tee.hardware,
  )
  const chosenEnclave = candidates.find((entry) => entry.enclave === enclave) ?? candidates[0]

  const submit = async (event: Event) => {
    event.preventDefault()
    if (!signer || !tee || !solution || !chosenEnclave || !file) return
    setPlacing({ step: 'verifying the enclave in this browser…' })
    try {
      const { policy } = await pagePolicy(config, chain, new Date())
      const verified = await verifyEnclave(chain, {
        enclave: chosenEnclave.enclave,
        blobs,
        policy,
      })
      if (!verified.ok) return setPlacing({ refused: verified.checks })
      setPlacing({ step: 'encrypting the file here, storing the ciphertext, and ordering…' })
      const placed = await placeOrder(signer, {
        blobs,
        teeOfferId: tee.offerId,
        solutionOfferId: solution.offerId,
        enclave: verified,
        solutionHash: solution.solutionHash,
        solutionBundleHash: solution.bundleHash,
        inputs: [{ bytes: new Uint8Array(await file.arrayBuffer()) }],
      })
      resultKeys.set(placed.orderId, placed.resultKey)
      const privateKey = await exportHpkePrivateKey(placed.resultKey)
      setPlacing({
        placed: { orderId: formatOrderId(placed.orderId), resultKey: bytesToHex(privateKey) },
      })
      privateKey.fill(0)
    } catch (error) {
      setPlacing({ error: shortMessageOf(error) })
    }
  }

  if (placing.placed) {
    const { orderId, resultKey } = placing.placed
    const download = URL.createObjectURL(new Blob([`${resultKey}\n`], { type: 'text/plain' }))
    return html`<h1>Order placed</h1>
      <p data-testid="placed">Order <a href=${`#/orders/${orderId}`} data-testid="placed-order">${orderId}</a> is on the chain, waiting for the provider.</p>
      <p>Its result key is in this page’s memory: the order page decrypts the result with it. To read the result after closing this page, keep the key: anyone who has it can read the result.</p>
      <p><a href=${download} download=${`result-key-${orderId.slice(2, 10)}.txt`}>save the result key</a></p>
      <p><a class="button" href=${`#/orders/${orderId}`}>follow the order</a></p>`
  }

  return html`<h1>New order</h1>
    <p class="intro">The file is encrypted in this browser; only ciphertext and hashes leave it, and only an enclave that passes verification here can open it.</p>
    ${!signer ? html`<p class="error" role="alert">Connect a wallet${config.devWallet ? ' or pick a dev account' : ''} (top right) to order.</p>` : ''}
    <${LoadState} state=${offers} what="the offers" />
    ${
      offers.value &&
      html`<form class="order-form" onSubmit=${submit}>
        <label>TEE offer
          <select data-testid="tee-offer" onChange=${(event: Event) => setTeeOfferId(Number((event.target as HTMLSelectElement).value))}>
            ${offers.value.tee.map((offer) => html`<option value=${offer.offerId} selected=${offer.offerId === tee?.offerId}>#${offer.offerId} ${hardwareName(offer.hardware)}, ${formatAmount(offer.price, token)}</option>`)}
          </select>
        </label>
        <label>Enclave
          <select data-testid="enclave" onChange=${(event: Event) => setEnclave((event.target as HTMLSelectElement).value as Hex)}>
            ${candidates.map((entry) => html`<option value=${entry.enclave} selected=${entry.enclave === chosenEnclave?.enclave}>${entry.enclave}</option>`)}
          </select>
        </label>
        <label>Solution
          <select data-testid="solution-offer" onChange=${(event: Event) => setSolutionOfferId(Number((event.target as HTMLSelectElement).value))}>
            ${offers.value.solutions.map((offer) => html`<option value=${offer.offerId} selected=${offer.offerId === solution?.offerId}>#${offer.offerId} ${offer.solutionHash.slice(0, 18)}…, ${formatAmount(offer.price, token)}</option>`)}
          </select>
        </label>
        <label>File (a PNG or JPEG for the OCR solution)
          <input type="file" data-testid="input-file" onChange=${(event: Event) => setFile((event.target as HTMLInputElement).files?.[0])} />
        </label>
        <button type="submit" data-testid="place-order" disabled=${!signer || !file || !chosenEnclave || !solution || Boolean(placing.step && !placing.error && !placing.refused)}>verify the enclave and order</button>
        ${chosenEnclave ? html`<p class="intro">Enclave <${HashText} value=${chosenEnclave.enclave} href=${`#/enclaves/${chosenEnclave.enclave}`} /> of provider <${HashText} value=${chosenEnclave.record.provider} />.</p>` : ''}
      </form>`
    }
    ${placing.step && !placing.error && !placing.refused ? html`<p class="loading">${placing.step}</p>` : ''}
    ${placing.error ? html`<p class="error" role="alert">${placing.error}</p>` : ''}
    ${placing.refused ? html`<p class="error" role="alert">The enclave failed verification: no order was placed.</p><${ChecksReport} checks=${placing.refused} />` : ''}`
}
