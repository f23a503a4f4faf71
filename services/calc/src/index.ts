export { service } from './calc';
export { fake } from './fake';
