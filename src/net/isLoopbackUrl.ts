/** Whether a URL is http(s) on this machine's loopback (127.0.0.1, localhost, [::1]). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url)
    return (
      (protocol === 'http:' || protocol === 'https:') &&
      (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]')
    )
  } catch {
    return false
  }
}
