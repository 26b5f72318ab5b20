// The Host interface each host implements (Electron, headless). It lives in the core, which
// must not import the hosts above it.
export type { Host, SecretStore } from '../core/host';
