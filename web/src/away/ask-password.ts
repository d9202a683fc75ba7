/**
 * A shared album's password asked in the page (issue 61, away from home), before the app is
 * loaded: a form like the one the home's own link page shows (daemon/ui/share-page.ts), not
 * `window.prompt`, which a phone draws as a system dialog with no password field. Resolves with
 * what was typed, or null when the person gives up (the Cancel button).
 */
export function askPassword(root: HTMLElement, message: string): Promise<string | null> {
  return new Promise((resolve) => {
    const form = document.createElement('form');
    form.className = 'share-password';
    const title = document.createElement('h1');
    title.textContent = 'A shared album';
    const said = document.createElement('p');
    said.setAttribute('role', 'status');
    said.textContent = message;
    const label = document.createElement('label');
    label.textContent = 'Password ';
    const input = document.createElement('input');
    Object.assign(input, { type: 'password', name: 'pw', required: true, autocomplete: 'off' });
    label.append(input);
    const open = document.createElement('button');
    open.textContent = 'Open';
    const cancel = document.createElement('button');
    Object.assign(cancel, { type: 'button', textContent: 'Cancel' });
    form.append(title, said, label, ' ', open, ' ', cancel);
    const done = (value: string | null) => {
      form.remove();
      resolve(value);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      done(input.value);
    });
    cancel.addEventListener('click', () => done(null));
    root.replaceChildren(form);
    input.focus();
  });
}
