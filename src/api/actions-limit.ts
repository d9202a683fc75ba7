/** Actions `actions list` shows unless asked for more. */
export const DEFAULT_ACTIONS_LIMIT = 100;
