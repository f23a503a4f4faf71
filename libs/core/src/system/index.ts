export * from './system-service';
