export * from './provider';
export * from './describe';
export { readViews, type ReadViews, type ViewSources } from './views';
export { CallContext } from './call-context';
export { type CallTrace } from './call-trace';
export { typeOf, type ParamProblem } from './schemas';
