# No IAM policy may allow every action or every resource (policy infra.iam-no-wildcards).
# Input: the JSON of `terraform show -json <plan>`. The policy document of an IAM resource
# is a JSON string in change.after.policy (what jsonencode or aws_iam_policy_document gives).
package tierguard.registry.iam

import rego.v1

policy_resources := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# An action pattern that matches every action of every service.
wildcard_actions := {"*", "*:*"}

# Builtins are called on values read with defaults: in Rego, `not is_string(x.missing)` is
# undefined rather than true, so a missing key would pass unseen.
document_text(change) := object.get(change.change.after, "policy", null)

changes contains [i, change] if {
	some i
	change := input.resource_changes[i]
	change.type in policy_resources
	is_object(change.change.after)
}

# A document that cannot be read cannot be shown to be narrow: fail closed.
deny contains violation if {
	some [i, change] in changes
	not is_string(document_text(change))
	violation := {
		"id": "iam-policy-unknown",
		"msg": sprintf("%s: the policy document is not known at plan time, so it cannot be checked for wildcards", [change.address]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}

deny contains violation if {
	some [i, change] in changes
	is_string(document_text(change))
	not json.is_valid(document_text(change))
	violation := {
		"id": "iam-policy-invalid",
		"msg": sprintf("%s: the policy document is not valid JSON", [change.address]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}

# One statement or a list of them.
statements(document) := document.Statement if is_array(document.Statement)

statements(document) := [document.Statement] if is_object(document.Statement)

# One value or a list of them.
values(value) := value if is_array(value)

values(value) := [value] if not is_array(value)

allow_statements contains [i, change.address, s, statement] if {
	some [i, change] in changes
	json.is_valid(document_text(change))
	document := json.unmarshal(document_text(change))
	some s, statement in statements(document)

	# Only "Deny" narrows; anything else (Allow, a typo, no Effect) is read as granting.
	not statement.Effect == "Deny"
}

sid(statement) := object.get(statement, "Sid", null) if is_object(statement)

sid(statement) := null if not is_object(statement)

label(s, statement) := sprintf("statement %d (Sid %q)", [s, sid(statement)]) if is_string(sid(statement))

label(s, statement) := sprintf("statement %d", [s]) if not is_string(sid(statement))

# IAM refuses a statement that is not an object; this rule refuses it first, as unreadable.
deny contains violation if {
	some [i, address, s, statement] in allow_statements
	not is_object(statement)
	violation := {
		"id": "iam-policy-invalid",
		"msg": sprintf("%s: statement %d is not an object", [address, s]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}

deny contains violation if {
	some [i, address, s, statement] in allow_statements
	some action in values(statement.Action)
	action in wildcard_actions
	violation := {
		"id": "iam-wildcard-action",
		"msg": sprintf("%s: %s allows Action %q", [address, label(s, statement), action]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}

deny contains violation if {
	some [i, address, s, statement] in allow_statements
	"*" in values(statement.Resource)
	violation := {
		"id": "iam-wildcard-resource",
		"msg": sprintf("%s: %s allows Resource \"*\"", [address, label(s, statement)]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}

# Allow with NotAction or NotResource grants everything but the list: a wildcard in disguise.
deny contains violation if {
	some [i, address, s, statement] in allow_statements
	some key in ["NotAction", "NotResource"]
	key in object.keys(statement)
	violation := {
		"id": "iam-not-action",
		"msg": sprintf("%s: %s allows with %s, which grants everything not listed", [address, label(s, statement), key]),
		"path": ["resource_changes", i, "change", "after", "policy"],
	}
}
