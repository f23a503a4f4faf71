export * from './span';
export * from './redact';
export * from './tracer';
export * from './open-span';
export * from './store';
export * from './tracing-service';
export * from './otlp';
export * from './connect';
export { type PackedSpans, SpanPacker, decodePacked } from './block-encoder';
