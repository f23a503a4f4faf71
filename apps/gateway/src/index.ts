export { createGateway, type GatewayMount, type GatewayOptions } from './gateway';
export { TIMEOUT_HEADER } from './edge';
export { JSON_RPC_CODES } from './protocols/json-rpc/errors';
export { HTTP_STATUS } from './protocols/json/errors';
