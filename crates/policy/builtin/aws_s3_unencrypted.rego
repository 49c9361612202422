# A bucket without a default encryption configuration. (S3 has encrypted new objects with S3
# managed keys by default since 2023, and answers that configuration for every bucket; one
# without it was set up differently, or could not be read.)
package driftd.builtin.aws_s3_unencrypted

import rego.v1

__rego_metadata__ := {
	"id": "aws-s3-unencrypted",
	"title": "S3 bucket without default encryption",
	"tier": "warning",
	"scope": "inventory",
	"types": ["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"],
	"remediation": "Add an aws_s3_bucket_server_side_encryption_configuration (SSE-S3 or SSE-KMS) for the bucket.",
}

encrypted contains r.attributes.bucket if {
	some r in input.resources
	r.type == "aws_s3_bucket_server_side_encryption_configuration"
}

deny contains {"msg": "the bucket has no default encryption configuration", "resource": {"type": r.type, "id": r.id}} if {
	some r in input.resources
	r.type == "aws_s3_bucket"
	not encrypted[r.id]
}
