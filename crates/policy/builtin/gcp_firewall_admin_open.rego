# A VPC firewall rule that lets the whole internet reach an administrative port.
package driftd.builtin.gcp_firewall_admin_open

import rego.v1

__rego_metadata__ := {
	"id": "gcp-firewall-admin-open",
	"title": "Firewall rule open to the internet on an administrative port",
	"tier": "critical",
	"types": ["google_compute_firewall"],
	"remediation": "Limit source_ranges to known networks, or reach the instances through Identity-Aware Proxy TCP forwarding (35.235.240.0/20).",
}

world := {"0.0.0.0/0", "::/0"}

in_range(port, spec) if {
	regex.match(`^[0-9]+$`, spec)
	to_number(spec) == port
}

in_range(port, spec) if {
	regex.match(`^[0-9]+-[0-9]+$`, spec)
	parts := split(spec, "-")
	to_number(parts[0]) <= port
	port <= to_number(parts[1])
}

covers(a, _) if a.protocol == "all"

covers(a, _) if {
	a.protocol in {"tcp", "udp"}
	count(object.get(a, "ports", [])) == 0
}

covers(a, port) if {
	a.protocol in {"tcp", "udp"}
	some spec in a.ports
	in_range(port, spec)
}

deny contains {"msg": sprintf("port %v (%v) is open to %v", [port, a.protocol, cidr]), "path": "source_ranges"} if {
	upper(object.get(input.attributes, "direction", "INGRESS")) == "INGRESS"
	object.get(input.attributes, "disabled", false) == false
	some cidr in input.attributes.source_ranges
	cidr in world
	some a in input.attributes.allow
	some port in data.driftd.settings.admin_ports
	covers(a, port)
}
