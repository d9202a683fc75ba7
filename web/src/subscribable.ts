/**
 * What a view reads through `useSyncExternalStore`: a version bumped on every change, and the
 * listeners told of it. The grid's pages and its picks are both such stores.
 */
export class Subscribable {
  /** Bumped when anything shown changes. */
  version = 0;
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  protected changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
