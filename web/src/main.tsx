import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { awayStart } from './away/away-page.js';
import './styles.css';
import './grid.css';
import './pages.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// Opened on a relay box (issue 46 item 4), the app reaches its home device through the box's service worker, set up first.
const away = await awayStart().catch((err: unknown) => ({ error: (err as Error).message }));
if (away && 'error' in away) {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = `vss: ${away.error}`;
  root.replaceChildren(p);
} else {
  // Loaded after: the app reads its route from the address's fragment, which a pairing address used first.
  const { App } = await import('./app.js');
  createRoot(root).render(<StrictMode><App /></StrictMode>);
}

// Installable, and its shell and recent thumbnails kept (web/sw.js): where the context is secure only (HTTPS, or loopback).
if (!away && 'serviceWorker' in navigator && window.isSecureContext) {
  void navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => undefined);
}
