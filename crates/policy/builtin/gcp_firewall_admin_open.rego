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

in_range(port, spec) if spec == port

in_range(port, spec) if {
	is_string(spec)
	regex.match(`^[0-9]+$`, spec)
	to_number(spec) == port
}

in_range(port, spec) if {
	is_string(spec)
	regex.match(`^[0-9]+-[0-9]+$`, spec)
	parts := split(spec, "-")
	to_number(parts[0]) <= port
	port <= to_number(parts[1])
}

covers(a, _) if a.protocol == "all"

covers(a, _) if {
	a.protocol in {"tcp", "udp"}
	is_object(a)
	count(object.get(a, "ports", [])) == 0
}

covers(a, port) if {
	a.protocol in {"tcp", "udp"}
	ports := a.ports
	is_array(ports)
	some spec in ports
	in_range(port, spec)
}

deny contains {"msg": sprintf("port %v (%v) is open to %v", [port, a.protocol, cidr]), "path": "source_ranges"} if {
	direction := object.get(input.attributes, "direction", "INGRESS")
	is_string(direction)
	upper(direction) == "INGRESS"
	object.get(input.attributes, "disabled", false) == false
	ranges := input.attributes.source_ranges
	is_array(ranges)
	some cidr in ranges
	cidr in world
	allowed := input.attributes.allow
	is_array(allowed)
	some a in allowed
	some port in data.driftd.settings.admin_ports
	covers(a, port)
}
