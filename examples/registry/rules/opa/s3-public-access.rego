# No S3 bucket may be readable or writable by the public (policy infra.s3-no-public-access).
# Input: the JSON of `terraform show -json <plan>`; each resource_changes[i].change.after is
# the resource as it will be (null when it is deleted, which is never a violation).
package tierguard.registry.s3

import rego.v1

# Canned ACLs that grant access beyond the bucket owner's account.
public_acls := {"public-read", "public-read-write", "authenticated-read"}

# Grantee groups that mean "everyone" or "every AWS account".
public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

# Every setting of a public access block must be on, or public access is possible.
block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

block_resources := {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}

# The legacy acl argument of aws_s3_bucket and the aws_s3_bucket_acl resource.
acl_resources := {"aws_s3_bucket", "aws_s3_bucket_acl"}

after(i) := change.change.after if {
	change := input.resource_changes[i]
	is_object(change.change.after)
}

deny contains violation if {
	some i
	input.resource_changes[i].type in acl_resources
	acl := after(i).acl
	acl in public_acls
	violation := {
		"id": "s3-public-acl",
		"msg": sprintf("%s has the public ACL %q", [input.resource_changes[i].address, acl]),
		"path": ["resource_changes", i, "change", "after", "acl"],
	}
}

# aws_s3_bucket_acl { access_control_policy { grant { grantee { uri = ".../AllUsers" } } } }
deny contains violation if {
	some i
	input.resource_changes[i].type == "aws_s3_bucket_acl"
	some p, g, e
	grantee := after(i).access_control_policy[p].grant[g].grantee[e]
	grantee.uri in public_groups
	violation := {
		"id": "s3-public-grant",
		"msg": sprintf("%s grants %s to %s", [input.resource_changes[i].address, after(i).access_control_policy[p].grant[g].permission, grantee.uri]),
		"path": ["resource_changes", i, "change", "after", "access_control_policy", p, "grant", g, "grantee", e, "uri"],
	}
}

# The legacy grant blocks of aws_s3_bucket: grant { type = "Group", uri = ".../AllUsers" }.
deny contains violation if {
	some i
	input.resource_changes[i].type == "aws_s3_bucket"
	some g
	grant := after(i).grant[g]
	grant.uri in public_groups
	violation := {
		"id": "s3-public-grant",
		"msg": sprintf("%s grants %v to %s", [input.resource_changes[i].address, grant.permissions, grant.uri]),
		"path": ["resource_changes", i, "change", "after", "grant", g, "uri"],
	}
}

# A setting that is false, absent or not known until apply is not on.
deny contains violation if {
	some i
	input.resource_changes[i].type in block_resources
	some setting in block_settings
	object.get(after(i), setting, null) != true
	violation := {
		"id": "s3-public-access-block",
		"msg": sprintf("%s must set %s = true", [input.resource_changes[i].address, setting]),
		"path": ["resource_changes", i, "change", "after", setting],
	}
}
