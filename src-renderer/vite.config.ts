// Builds the renderer into dist/renderer. `base: './'` because Electron loads it from file:// and the
// headless host serves it from its own origin; neither knows an absolute prefix.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// This file is type-checked with the browser tsconfig (no Node types), so the folder comes from
// import.meta.url rather than node:url/path. The drive-letter fix keeps Windows paths usable.
const here = decodeURI(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}../dist/renderer`,
    emptyOutDir: true,
    // No inlined assets: everything stays a file so the CSP can stay 'self' only.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
