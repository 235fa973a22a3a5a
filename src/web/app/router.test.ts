import assert from 'node:assert/strict'
import { it } from 'node:test'
import { routeOf } from './router.ts'

it('routes by the URL fragment, and names what it does not know', () => {
  const enclave = `0x${'ab'.repeat(20)}`
  assert.deepEqual(routeOf(''), { page: 'overview' })
  assert.deepEqual(routeOf('#/'), { page: 'overview' })
  assert.deepEqual(routeOf('#/orders'), { page: 'orders' })
  assert.deepEqual(routeOf('#/orders/0x12'), { page: 'order', orderId: '0x12' })
  assert.deepEqual(routeOf(`#/enclaves/${enclave}`), { page: 'enclave', enclave })
  assert.deepEqual(routeOf('#/enclaves/0x12'), { page: 'not-found', path: '/enclaves/0x12' })
  assert.deepEqual(routeOf('#/measurements'), { page: 'measurements' })
  assert.deepEqual(routeOf('#/nowhere'), { page: 'not-found', path: '/nowhere' })
})
