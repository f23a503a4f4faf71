export * from './provider';
export * from './describe';
export { readViews, type ReadViews, type ViewSources } from './views';
export { CallContext } from './call-context';
export { typeOf, type ParamProblem } from './schemas';
