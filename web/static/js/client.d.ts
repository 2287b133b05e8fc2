// Generated from web/client/*.ts by `npm run build` (esbuild); do not edit.
export * from './types/index.js';
