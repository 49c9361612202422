# A bucket readable or writable by anyone: an ACL grant to AllUsers or AuthenticatedUsers, or a
# bucket policy that allows every principal without a condition.
package driftd.builtin.aws_s3_public_grant

import rego.v1

__rego_metadata__ := {
	"id": "aws-s3-public",
	"title": "S3 bucket public through its ACL or policy",
	"tier": "critical",
	"types": ["aws_s3_bucket_acl", "aws_s3_bucket_policy"],
	"remediation": "Remove the public grant or policy statement; serve public content through CloudFront with an origin access control instead.",
}

public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

deny contains {"msg": sprintf("%v is granted to %v", [g.permission, grantee.uri]), "path": "access_control_policy"} if {
	input.type == "aws_s3_bucket_acl"
	policies := input.attributes.access_control_policy
	is_array(policies)
	some acp in policies
	grants := acp.grant
	is_array(grants)
	some g in grants
	grantees := g.grantee
	is_array(grantees)
	some grantee in grantees
	grantee.uri in public_groups
}

document(v) := json.unmarshal(v) if {
	is_string(v)
	json.is_valid(v)
}

document(v) := v if is_object(v)

statements(doc) := [doc.Statement] if is_object(doc.Statement)

statements(doc) := doc.Statement if is_array(doc.Statement)

everyone(p) if p == "*"

everyone(p) if p.AWS == "*"

everyone(p) if {
	is_array(p.AWS)
	"*" in p.AWS
}

deny contains {"msg": sprintf("statement %v allows %v to every principal", [object.get(s, "Sid", i), s.Action]), "path": "policy"} if {
	input.type == "aws_s3_bucket_policy"
	some i, s in statements(document(input.attributes.policy))
	s.Effect == "Allow"
	everyone(s.Principal)
	not s.Condition
}
