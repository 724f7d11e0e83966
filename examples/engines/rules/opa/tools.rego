# Which ticket tools each role may call. The same rule is the auto-tier
# assertion of the policy tools.allow-list (examples/engines/agent-tools.json).
# Input: a tierguard action; roles come from context.roles or context.user.role.
package tierguard.examples.tools

import rego.v1

allowed := {
	"viewer": {"tickets.read", "tickets.search"},
	"agent": {"tickets.read", "tickets.search", "tickets.comment"},
	"admin": {"tickets.read", "tickets.search", "tickets.comment", "tickets.close"},
}

# A role field may hold one role or a list of them.
as_list(value) := value if is_array(value)

as_list(value) := [value] if not is_array(value)

roles contains role if some role in as_list(input.context.roles)

roles contains role if some role in as_list(input.context.user.role)

permitted if {
	some role in roles
	is_string(role)
	input.tool in allowed[role]
}

# Only ticket tools are governed, as the policy's "tools": ["tickets.*"] says.
deny contains violation if {
	glob.match("tickets.*", ["/"], input.tool)
	not permitted
	violation := {
		"id": "tool-not-allowed-for-role",
		"msg": sprintf("%s is not allowed for the roles %v", [input.tool, sort([role | some role in roles])]),
		"path": ["tool"],
	}
}
