import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { APP_CSP } from './static.js';

/**
 * The page a shared album's link opens (`/ui/shared#share=SECRET`, issue 61), served to a browser
 * with no session yet: it reads the secret from the address's fragment (which no browser sends to
 * a server, nor puts in a Referer), posts it to `/api/share/open` — with the password, where the
 * share has one, asked here — and, given a session, goes on to the app, which shows the album.
 * Its script and style are allowed by their hashes alone.
 */
const SCRIPT = `(function(){
var q=new URLSearchParams(location.hash.slice(1)),secret=q.get('share'),m=document.getElementById('m'),f=document.getElementById('f');
if(!secret){m.textContent='This address holds no shared album: open the link you were sent, whole.';return;}
function open(pw){
  m.textContent='Opening the album…';
  fetch('/api/share/open',{method:'POST',credentials:'same-origin',headers:{'content-type':'application/json','x-vss-ui':'1'},body:JSON.stringify(pw===undefined?{secret:secret}:{secret:secret,password:pw})})
  .then(function(r){
    if(r.ok){history.replaceState(null,'',location.pathname);location.replace('/ui/#/shared');return;}
    return r.json().catch(function(){return {};}).then(function(b){
      var e=b&&b.error||{};
      if(e.reason==='password'){f.hidden=false;m.textContent=pw===undefined?'This album is shared with a password: type the one you were given.':'That is not the password.';f.elements.pw.focus();return;}
      m.textContent=e.message||('The album could not be opened (HTTP '+r.status+').');
    });
  },function(){m.textContent='The computer sharing the album does not answer: try again later.';});
}
f.addEventListener('submit',function(e){e.preventDefault();open(f.elements.pw.value);});
open(undefined);
})();`;
const STYLE = ':root{color-scheme:light dark}body{margin:0 auto;max-width:40rem;padding:1rem 1.25rem;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}input,button{font:inherit;padding:.4rem .6rem}';
const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
const CSP = APP_CSP.replace("script-src 'self' 'wasm-unsafe-eval'", `script-src ${hash(SCRIPT)}`).replace("style-src 'self'", `style-src ${hash(STYLE)}`);
const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>A shared album</title><style>${STYLE}</style></head>
<body><h1>A shared album</h1><p id="m" role="status">Opening the album…</p>
<form id="f" hidden><label>Password <input name="pw" type="password" autocomplete="off" required></label> <button>Open</button></form>
<script>${SCRIPT}</script></body></html>
`;

export function sharePage(reply: FastifyReply): FastifyReply {
  return reply.code(200).headers({ 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'cache-control': 'no-store' })
    .type('text/html; charset=utf-8').send(HTML);
}
