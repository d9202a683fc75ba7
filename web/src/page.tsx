import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

/**
 * The <main> of a view, labelled with its name; it is the part of the window that scrolls. It
 * takes the focus when the view opens, so Tab goes on from the top of the new view instead of
 * from a link that is gone.
 */
let firstView = true;

export function Page({ label, title, className, children, takeFocus = true, mainRef }: {
  label: string;
  /** The window's title (history, tabs, screen readers on arrival); default the label. */
  title?: string;
  className?: string;
  children: ReactNode;
  takeFocus?: boolean;
  mainRef?: RefObject<HTMLElement | null>;
}) {
  const own = useRef<HTMLElement>(null);
  const main = mainRef ?? own;
  useEffect(() => {
    // The first view of a page load leaves the focus at the top (the skip link, then the header);
    // typing in the search box keeps the focus there.
    const first = firstView;
    firstView = false;
    if (!first && takeFocus && !(document.activeElement instanceof HTMLInputElement)) main.current?.focus({ preventScroll: true });
    // Only when the view opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const windowTitle = `${title ?? label} · vss`;
  useEffect(() => {
    document.title = windowTitle;
  }, [windowTitle]);
  return (
    <main id="main" ref={main} tabIndex={-1} aria-label={label} className={`page ${className ?? ''}`}>
      {children}
    </main>
  );
}
