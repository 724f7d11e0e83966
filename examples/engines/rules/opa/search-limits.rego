# Bounds on search arguments. The same rule is the auto-tier assertion of the
# policy search.limit-bounds (examples/engines/agent-tools.json).
# Input: a tierguard action.
package tierguard.examples.search

import rego.v1

in_range(value, low, high) if {
	is_number(value)
	value >= low
	value <= high
}

# A missing limit is out of range too: object.get gives null, which is not a number.
deny contains violation if {
	glob.match("search.*", ["/"], input.tool)
	limit := object.get(input, ["arguments", "limit"], null)
	not in_range(limit, 1, 100)
	violation := {
		"id": "search-limit-range",
		"msg": sprintf("arguments.limit must be a number from 1 to 100 (got %s)", [json.marshal(limit)]),
		"path": ["arguments", "limit"],
	}
}

# An offset is optional (absent or null); when given it is a number from 0 to 10000.
deny contains violation if {
	glob.match("search.*", ["/"], input.tool)
	offset := input.arguments.offset
	offset != null
	not in_range(offset, 0, 10000)
	violation := {
		"id": "search-offset-range",
		"msg": sprintf("arguments.offset must be a number from 0 to 10000 (got %s)", [json.marshal(offset)]),
		"path": ["arguments", "offset"],
	}
}
