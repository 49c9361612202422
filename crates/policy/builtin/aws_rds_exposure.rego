# A database reachable from the internet, or one a single call can delete.
package driftd.builtin.aws_rds_public

import rego.v1

__rego_metadata__ := {
	"id": "aws-rds-public",
	"title": "RDS instance publicly accessible",
	"tier": "critical",
	"types": ["aws_db_instance"],
	"remediation": "Set publicly_accessible = false and reach the database from inside the VPC (a bastion, a VPN, RDS Proxy).",
}

deny contains {"msg": "the instance is publicly accessible", "path": "publicly_accessible"} if {
	input.attributes.publicly_accessible == true
}
