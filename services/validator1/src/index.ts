export { service } from './validator1';
export { fake } from './fake';
