// What `require('tierguard/engines/checkov')` loads where Node cannot require an ES module: an error saying to use import().
import refuseRequire = require('./refuse-require.cjs');

refuseRequire('tierguard/engines/checkov');
