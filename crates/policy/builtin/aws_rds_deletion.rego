# A database without deletion protection: one API call or `terraform destroy` removes it.
package driftd.builtin.aws_rds_deletion_protection

import rego.v1

__rego_metadata__ := {
	"id": "aws-rds-deletion-protection",
	"title": "RDS instance without deletion protection",
	"tier": "warning",
	"types": ["aws_db_instance"],
	"remediation": "Set deletion_protection = true on production databases.",
}

deny contains {"msg": "deletion protection is off", "path": "deletion_protection"} if {
	input.attributes.deletion_protection == false
}
