export { service } from './dailies';
export { fake } from './fake';
