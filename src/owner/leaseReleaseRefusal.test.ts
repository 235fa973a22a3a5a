import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Address, Hex } from 'viem'
import { type LeaseReleaseFacts, leaseReleaseRefusal } from './leaseReleaseRefusal.ts'

const at = (byte: string) => `0x${byte.repeat(20)}` as Address
const hash = (byte: string) => `0x${byte.repeat(32)}` as Hex
const vendor = at('44')
const provider = at('11')
const enclave = at('22')
const measurement = hash('aa')
const now = 1_800_000_000

/** A running lease of this vendor's model on a sim offer, and a usable sim enclave of its provider. */
function facts(): LeaseReleaseFacts {
  return {
    leaseId: 5n,
    lease: {
      customer: at('33'),
      provider,
      solutionVendor: vendor,
      teeOfferId: 1,
      solutionOfferId: 2,
      startsAt: now - 60,
      endsAt: now + 3_600,
      closedAt: 0,
      lastSettledAt: 0,
      finalized: false,
      overClaimed: false,
      pricePerHour: 1n,
      pricePerThousandTokens: 1n,
      maxTokens: 1_000n,
      tokensClaimed: 0n,
      escrow: 2n,
      solutionHash: hash('55'),
    },
    vendor,
    keyKept: true,
    enclave,
    record: {
      provider,
      hardware: 0,
      status: 1,
      expiresAt: now + 86_400,
      revokedAt: 0,
      revokedByCommittee: false,
      measurement,
      hpkePublicKey: hash('66'),
      evidenceHash: hash('77'),
      collateralHash: hash('00'),
      gpuEvidenceHash: hash('00'),
    },
    usable: true,
    teeOffer: {
      provider,
      hardware: 0,
      active: true,
      capacity: 1,
      activeOrders: 0,
      version: 1,
      price: 1n,
    },
    solutionOffer: {
      owner: vendor,
      active: true,
      hardwareMask: 0b1,
      restrictTeeOffers: false,
      version: 1,
      price: 1n,
      solutionHash: hash('55'),
      requiredMeasurement: hash('00'),
      bundleHash: hash('88'),
    },
    now,
  }
}

describe('lease key release checks', () => {
  it('release to a usable enclave of the lease’s provider while the lease runs', () => {
    assert.equal(leaseReleaseRefusal(facts()), undefined)
    const pinned = facts()
    if (pinned.solutionOffer) pinned.solutionOffer.requiredMeasurement = measurement
    assert.equal(leaseReleaseRefusal(pinned), undefined)
  })

  const refusals: [string, (value: LeaseReleaseFacts) => void, number, RegExp][] = [
    [
      'no such lease',
      (value) => {
        value.lease = undefined
      },
      404,
      /lease 5 does not exist/,
    ],
    [
      'another owner’s model',
      (value) => {
        if (value.lease) value.lease.solutionVendor = at('99')
      },
      404,
      /not for a model whose key this owner keeps/,
    ],
    [
      'a model whose key is not kept',
      (value) => {
        value.keyKept = false
      },
      404,
      /this owner keeps/,
    ],
    [
      'a closed lease',
      (value) => {
        if (value.lease) value.lease.closedAt = now - 1
      },
      410,
      /closed/,
    ],
    [
      'a lease past its end',
      (value) => {
        if (value.lease) value.lease.endsAt = now
      },
      410,
      /ended/,
    ],
    [
      'a finalised lease',
      (value) => {
        if (value.lease) value.lease.finalized = true
      },
      410,
      /final/,
    ],
    [
      'an over-claimed lease',
      (value) => {
        if (value.lease) value.lease.overClaimed = true
      },
      410,
      /over-claim/,
    ],
    [
      'an unregistered enclave',
      (value) => {
        value.record = undefined
      },
      403,
      /not registered/,
    ],
    [
      'another provider’s enclave',
      (value) => {
        if (value.record) value.record.provider = at('99')
      },
      403,
      /not the lease provider/,
    ],
    [
      'a revoked or expired enclave',
      (value) => {
        value.usable = false
      },
      403,
      /not usable on-chain/,
    ],
    [
      'an enclave of other hardware than the TEE offer sells',
      (value) => {
        if (value.record) value.record.hardware = 1
      },
      403,
      /runs tdx, not the hardware/,
    ],
    [
      'hardware the solution offer does not allow',
      (value) => {
        if (value.solutionOffer) value.solutionOffer.hardwareMask = 0b10
      },
      403,
      /does not allow sim/,
    ],
    [
      'another runtime than the solution offer requires',
      (value) => {
        if (value.solutionOffer) value.solutionOffer.requiredMeasurement = hash('bb')
      },
      403,
      /not the 0xbb/,
    ],
  ]
  for (const [name, change, status, reason] of refusals)
    it(`refuse ${name}`, () => {
      const value = facts()
      change(value)
      const refusal = leaseReleaseRefusal(value)
      assert.equal(refusal?.status, status, JSON.stringify(refusal))
      assert.match(refusal.reason, reason)
      assert.doesNotMatch(refusal.reason, /\n/)
    })
})
