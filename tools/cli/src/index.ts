export { main } from './main';
export { startNode, type RunningNode, type Role, type StartOptions } from './node';
export { callMethod } from './call';
