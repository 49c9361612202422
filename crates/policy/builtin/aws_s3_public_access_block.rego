# A bucket with no public access block, or with one of its four settings turned off: nothing
# then stops a public ACL or bucket policy from exposing it.
package driftd.builtin.aws_s3_public_access_block

import rego.v1

__rego_metadata__ := {
	"id": "aws-s3-public-access-block",
	"title": "S3 bucket without a full public access block",
	"tier": "warning",
	"scope": "inventory",
	"types": ["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
	"remediation": "Add an aws_s3_bucket_public_access_block with all four settings true (or block public access for the whole account).",
}

settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

blocked contains r.attributes.bucket if {
	some r in input.resources
	r.type == "aws_s3_bucket_public_access_block"
}

deny contains {"msg": "the bucket has no public access block", "resource": {"type": r.type, "id": r.id}} if {
	some r in input.resources
	r.type == "aws_s3_bucket"
	not blocked[r.id]
}

deny contains {"msg": sprintf("%v is off", [s]), "path": s, "resource": {"type": r.type, "id": r.id}} if {
	some r in input.resources
	r.type == "aws_s3_bucket_public_access_block"
	some s in settings
	r.attributes[s] == false
}
