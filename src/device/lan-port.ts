/** The web app's port on the home network unless the user names one (`daemon start --lan-port`): fixed, so a phone's bookmark keeps working. Apart from the settings so the command line's help loads nothing else. */
export const DEFAULT_LAN_PORT = 7443;
