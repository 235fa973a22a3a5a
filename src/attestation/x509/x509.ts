/**
 * The one place that loads `@peculiar/x509`. Its dependency injection container needs the
 * Reflect metadata polyfill, which must be imported before it (in Node and in the browser).
 */
import 'reflect-metadata'

export { X509Certificate, X509Crl } from '@peculiar/x509'
