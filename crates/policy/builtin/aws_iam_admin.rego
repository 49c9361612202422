# An IAM policy that allows every action on every resource: full administrator rights.
package driftd.builtin.aws_iam_admin

import rego.v1

__rego_metadata__ := {
	"id": "aws-iam-admin",
	"title": "IAM policy grants every action on every resource",
	"tier": "critical",
	"types": ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"],
	"remediation": "Grant only the actions and resources the principal needs; keep administrator access to a few break-glass roles (AWS managed AdministratorAccess, audited).",
}

document(v) := json.unmarshal(v) if {
	is_string(v)
	json.is_valid(v)
}

document(v) := v if is_object(v)

statements(doc) := [doc.Statement] if is_object(doc.Statement)

statements(doc) := doc.Statement if is_array(doc.Statement)

wildcard(v) if v == "*"

wildcard(v) if {
	is_array(v)
	"*" in v
}

deny contains {"msg": sprintf("statement %v allows Action \"*\" on Resource \"*\"", [object.get(s, "Sid", i)]), "path": "policy"} if {
	some i, s in statements(document(input.attributes.policy))
	s.Effect == "Allow"
	wildcard(s.Action)
	wildcard(s.Resource)
}
