export { service, renderFrame, frameSize } from './render';
export { fake } from './fake';
