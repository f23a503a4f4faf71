export { type CatalogOptions, ServiceCatalog } from '@junction/core';
