module.exports = { ...require('../../jest.preset.js'), displayName: '@junction/client-sdk' };
