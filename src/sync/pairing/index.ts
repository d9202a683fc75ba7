export { newPairingCode, parsePairingCode, PAIRING_WORDS, type PairingCode } from './code.js';
export { PairingHost, type OpenPairingCode, type PairingHostOptions, type PairingStatus } from './host.js';
export { joinPairing, type JoinPairingOptions, type JoinPairingResult, type PairingConnection } from './join.js';
export { pairingDialer, discoveredPeers } from './dial.js';
export { PairedDevices, PAIRED_DEVICES_FILE, MAX_PAIRED_DEVICES, MAX_ADDRS, type PairedDevice } from './paired-devices.js';
export { PAIRING_TTL_MS, PAIRING_MAX_FAILURES, type LibraryRef, type LocalDeviceInfo } from './types.js';
