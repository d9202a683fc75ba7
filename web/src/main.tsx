import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(<StrictMode><App /></StrictMode>);

// Installable, and its shell and recent thumbnails kept (web/sw.js): where the context is secure only (HTTPS, or loopback).
if ('serviceWorker' in navigator && window.isSecureContext) {
  void navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => undefined);
}
