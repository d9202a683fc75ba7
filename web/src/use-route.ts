import { useSyncExternalStore } from 'react';
import { currentRoute, subscribeRoute } from './navigation.js';
import type { Route } from './routes.js';

/** The current hash route; the component renders again when it changes. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribeRoute, currentRoute);
}
