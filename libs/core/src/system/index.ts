export * from './system-service';
export * from './membership';
export * from './logging-service';
export * from './management-service';
