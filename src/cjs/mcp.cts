// What `require('tierguard/mcp')` loads where Node cannot require an ES module: an error saying to use import().
import refuseRequire = require('./refuse-require.cjs');

refuseRequire('tierguard/mcp');
