// Components are written with htm's tagged templates: no JSX build step, plain TypeScript.
export { html } from 'htm/preact'
