"use strict";
// RE2 with the JavaScript RegExp engine (see package.json).
class RE2 extends RegExp {
	constructor(pattern, flags) {
		super(pattern instanceof RegExp ? pattern.source : pattern, flags === undefined && pattern instanceof RegExp ? pattern.flags : flags);
	}
}
module.exports = RE2;
module.exports.default = RE2;
