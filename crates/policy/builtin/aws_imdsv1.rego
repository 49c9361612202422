# An instance that still answers IMDSv1: a server-side request forgery can then read the
# instance role's credentials with a plain GET.
package driftd.builtin.aws_imdsv1

import rego.v1

__rego_metadata__ := {
	"id": "aws-ec2-imdsv1",
	"title": "EC2 instance allows IMDSv1",
	"tier": "warning",
	"types": ["aws_instance", "aws_launch_template"],
	"remediation": "Require IMDSv2: metadata_options { http_tokens = \"required\" } (check first that the software on the instance uses IMDSv2).",
}

# The metadata options block is a list of one in state (an object in some hand-written
# documents, which the rule ignores); shapes are checked inline, cheaper than a helper rule.
deny contains {"msg": "the metadata service accepts IMDSv1 (http_tokens = optional)", "path": "metadata_options"} if {
	options := input.attributes.metadata_options
	is_array(options)
	some m in options
	is_object(m)
	object.get(m, "http_endpoint", "enabled") != "disabled"
	m.http_tokens == "optional"
}
