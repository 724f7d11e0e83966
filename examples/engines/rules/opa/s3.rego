# No S3 bucket may be readable or writable by the public.
# Input: the JSON of `terraform show -json <plan>` (resource_changes[].change.after).
package tierguard.examples.s3

import rego.v1

# Canned ACLs that grant access beyond the bucket owner's account.
public_acls := {"public-read", "public-read-write", "authenticated-read"}

# Every setting of a public access block must be on, or public access is possible.
block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

acl_resources := {"aws_s3_bucket", "aws_s3_bucket_acl"}

deny contains violation if {
	some i
	change := input.resource_changes[i]
	change.type in acl_resources
	change.change.after.acl in public_acls
	violation := {
		"id": "s3-public-acl",
		"msg": sprintf("%s has the public ACL %q", [change.address, change.change.after.acl]),
		"path": ["resource_changes", i, "change", "after", "acl"],
	}
}

deny contains violation if {
	some i
	change := input.resource_changes[i]
	change.type == "aws_s3_bucket_public_access_block"
	some setting in block_settings
	change.change.after[setting] != true
	violation := {
		"id": "s3-public-access-block",
		"msg": sprintf("%s must set %s = true", [change.address, setting]),
		"path": ["resource_changes", i, "change", "after", setting],
	}
}
