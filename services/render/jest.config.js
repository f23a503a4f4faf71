module.exports = { ...require('../../jest.preset.js'), displayName: '@junction/service-render' };
