# Storage that keeps data unencrypted at rest: EBS volumes and RDS instances.
package driftd.builtin.aws_unencrypted_storage

import rego.v1

__rego_metadata__ := {
	"id": "aws-unencrypted-storage",
	"title": "Storage not encrypted at rest",
	"tier": "warning",
	"types": ["aws_ebs_volume", "aws_db_instance"],
	"remediation": "Encryption cannot be turned on in place: copy the volume or snapshot with encryption on and switch to it, and turn on EBS encryption by default for the account.",
}

deny contains {"msg": "the volume is not encrypted", "path": "encrypted"} if {
	input.type == "aws_ebs_volume"
	input.attributes.encrypted == false
}

deny contains {"msg": "the database storage is not encrypted", "path": "storage_encrypted"} if {
	input.type == "aws_db_instance"
	input.attributes.storage_encrypted == false
}
