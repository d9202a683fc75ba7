/** URL as a QR code drawn with Unicode half blocks, for a terminal (`vss ui pair`); `uqr` is loaded only here. */
export async function terminalQr(url: string): Promise<string> {
  return (await import('uqr')).renderUnicodeCompact(url);
}
