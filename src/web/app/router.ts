import { useEffect, useState } from 'preact/hooks'

/** A page of the explorer, from the URL's fragment (`#/orders/0x…`), so static hosting works. */
export type Route =
  | { page: 'overview' }
  | { page: 'providers' }
  | { page: 'offers' }
  | { page: 'enclaves' }
  | { page: 'enclave'; enclave: `0x${string}` }
  | { page: 'orders' }
  | { page: 'order'; orderId: string }
  | { page: 'measurements' }
  | { page: 'new-order' }
  | { page: 'not-found'; path: string }

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/'
  const parts = path.split('/').filter(Boolean)
  const [first, second] = parts
  if (parts.length === 0) return { page: 'overview' }
  if (parts.length === 1 && first === 'providers') return { page: 'providers' }
  if (parts.length === 1 && first === 'offers') return { page: 'offers' }
  if (parts.length === 1 && first === 'enclaves') return { page: 'enclaves' }
  if (parts.length === 2 && first === 'enclaves' && /^0x[0-9a-fA-F]{40}$/.test(second ?? ''))
    return { page: 'enclave', enclave: second as `0x${string}` }
  if (parts.length === 1 && first === 'orders') return { page: 'orders' }
  if (parts.length === 2 && first === 'orders') return { page: 'order', orderId: second as string }
  if (parts.length === 1 && first === 'measurements') return { page: 'measurements' }
  if (parts.length === 1 && first === 'new-order') return { page: 'new-order' }
  return { page: 'not-found', path }
}

/** The current route, following the fragment as it changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash))
  useEffect(() => {
    const follow = () => {
      setRoute(routeOf(location.hash))
      window.scrollTo(0, 0)
    }
    addEventListener('hashchange', follow)
    return () => removeEventListener('hashchange', follow)
  }, [])
  return route
}
