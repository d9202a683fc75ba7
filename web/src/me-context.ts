import { createContext, useContext } from 'react';

/** Who this browser's session is (`GET /api/ui/me`): this machine's user, or a browser that may only view. */
export interface Me {
  view_only: boolean;
  browser: { id: string; name: string; may: { view: boolean; upload: boolean; organise: boolean; files: boolean } } | null;
}

export const MeContext = createContext<Me>({ view_only: false, browser: null });

export function useMe(): Me {
  return useContext(MeContext);
}
