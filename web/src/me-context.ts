import { createContext, useContext } from 'react';

/** Who this browser's session is (`GET /api/ui/me`): this machine's user, or a browser that may only view. */
export interface Me {
  view_only: boolean;
  browser: { id: string; name: string; may: { view: boolean; upload: boolean; organise: boolean; files: boolean } } | null;
  /** A guest of a shared album (issue 61): it sees that album only. */
  share?: { id: string; download: boolean; upload: boolean };
}

export const MeContext = createContext<Me>({ view_only: false, browser: null });

export function useMe(): Me {
  return useContext(MeContext);
}
