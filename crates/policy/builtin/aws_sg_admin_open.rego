# A security group that lets the whole internet reach an administrative port: SSH, RDP,
# database and cache ports. (The live inventory also lists each rule as an
# aws_security_group_rule; the group carries them all, so rules are not reported twice.)
package driftd.builtin.aws_sg_admin_open

import rego.v1

__rego_metadata__ := {
	"id": "aws-sg-admin-open",
	"title": "Security group open to the internet on an administrative port",
	"tier": "critical",
	"types": ["aws_security_group"],
	"remediation": "Limit the rule's source to known networks (a VPN range, a bastion's security group), or reach the hosts through SSM Session Manager instead of an open port.",
}

world := {"0.0.0.0/0", "::/0"}

ingress contains [r, "ingress"] if {
	input.type == "aws_security_group"
	# Shapes are checked inline (a function call costs more than the rest of the rule).
	rules := input.attributes.ingress
	is_array(rules)
	some r in rules
	is_object(r)
}

sources(r) := {c | some key in ["cidr_blocks", "ipv6_cidr_blocks"]; cs := object.get(r, key, []); is_array(cs); some c in cs}

covers(r, _) if lower(sprintf("%v", [r.protocol])) in {"-1", "all"}

covers(r, port) if {
	lower(sprintf("%v", [r.protocol])) in {"tcp", "udp", "6", "17"}
	r.from_port <= port
	port <= r.to_port
}

deny contains {"msg": msg, "path": path} if {
	some [r, path] in ingress
	some cidr in sources(r)
	cidr in world
	some port in data.driftd.settings.admin_ports
	covers(r, port)
	msg := sprintf("port %v (%v) is open to %v", [port, r.protocol, cidr])
}
