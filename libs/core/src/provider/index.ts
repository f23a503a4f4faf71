export * from './provider';
export * from './describe';
export { CallContext } from './call-context';
export { typeOf, type ParamProblem } from './schemas';
