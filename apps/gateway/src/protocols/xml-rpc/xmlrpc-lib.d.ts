// The parts of the xmlrpc package (1.3.2, lib/) this slice uses; @types/xmlrpc types only its client and server.

declare module 'xmlrpc/lib/customtype' {
  class CustomType {
    constructor(raw: string);
    raw: string;
    tagName: string;
  }
  export = CustomType;
}

declare module 'xmlrpc/lib/serializer' {
  export function serializeMethodCall(method: string, params?: unknown[], encoding?: string): string;
  export function serializeMethodResponse(value: unknown): string;
  export function serializeFault(fault: unknown): string;
}

declare module 'xmlrpc/lib/deserializer' {
  import { type Readable } from 'node:stream';
  class Deserializer {
    constructor(encoding?: string);
    deserializeMethodCall(stream: Readable, callback: (err: Error | null | undefined, method: string, params: unknown[]) => void): void;
    deserializeMethodResponse(stream: Readable, callback: (err: Error | null | undefined, value: unknown) => void): void;
  }
  export = Deserializer;
}

declare module 'xmlrpc/lib/date_formatter' {
  /** One formatter shared by the whole process; its default reads and writes local time. */
  const formatter: { decodeIso8601(time: string): Date; encodeIso8601(date: Date): string; setOpts(opts?: { local?: boolean; offset?: boolean; ms?: boolean; colons?: boolean; hyphens?: boolean }): void };
  export = formatter;
}
