export { consolePlugin, createConsole, type ConsoleOptions, type StandaloneConsoleOptions } from './console';
export { createPlatformClient, injectFetch, type PlatformClientOptions } from './platform-client';
export type { ConsolePage, ConsolePageContext, ConsoleUser, PlatformClient, PlatformCallOptions } from './page';
export { consoleMount, consoleOptionsOf, startStandaloneConsole, type StandaloneConsole } from './config';
